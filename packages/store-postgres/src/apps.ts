import type { AppId, FunctionId } from "@ingot/protocol";
import { CONTROL_CHANNEL, notifyControl } from "./notify.js";
import type { AppRecord, AppStore, AppSync, FunctionRecord } from "@ingot/store";
import type { Database, Row } from "./database.js";
import { appFromRow, functionFromRow, json, s } from "./rows.js";

export class PostgresApps implements AppStore {
  constructor(private readonly db: Database) {}

  /**
   * The app upsert comes first and row-locks the app until commit, so two nodes syncing the same
   * app at once take turns and the second compares against what the first wrote.
   */
  sync({
    app,
    functions,
    now,
  }: AppSync): Promise<{ added: number; updated: number; archived: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO apps (id, url, sdk, framework, app_version, error, synced_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $6, $6)
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, sdk = excluded.sdk,
           framework = excluded.framework, app_version = excluded.app_version, error = NULL,
           synced_at = excluded.synced_at, updated_at = excluded.updated_at, deleted_at = NULL`,
        [app.id, app.url, app.sdk, app.framework, app.appVersion, now],
      );
      const { rows } = await tx.query(
        "SELECT id, name, config, archived_at FROM functions WHERE app_id = $1",
        [app.id],
      );
      // Every node reloads its function registry as soon as this commits.
      await notifyControl(tx, { kind: "apps.changed" });
      const existing = new Map<string, Row>(rows.map((row) => [s(row.id), row]));
      let added = 0;
      const changed: { id: string; uuid: string; name: string; config: string }[] = [];
      const listed = new Set<string>();
      for (const fn of functions) {
        listed.add(fn.id);
        const config = json(fn.config);
        const previous = existing.get(fn.id);
        if (!previous) added++;
        else if (
          previous.config === config &&
          previous.name === fn.name &&
          previous.archived_at === null
        ) {
          continue;
        }
        changed.push({ id: fn.id, uuid: fn.uuid, name: fn.name, config });
      }
      if (changed.length > 0) {
        // A re-sync proposes a fresh uuid; the stored one is kept (spec §9.1 `ctx.fn_id`).
        await tx.query(
          `INSERT INTO functions (id, uuid, app_id, name, config, created_at, updated_at, archived_at)
           SELECT id, uuid, $5, name, config, $6, $6, NULL
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS f (id, uuid, name, config)
           ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id, name = excluded.name,
             config = excluded.config, updated_at = excluded.updated_at, archived_at = NULL`,
          [
            changed.map((fn) => fn.id),
            changed.map((fn) => fn.uuid),
            changed.map((fn) => fn.name),
            changed.map((fn) => fn.config),
            app.id,
            now,
          ],
        );
      }
      const gone = [...existing]
        .filter(([id, row]) => !listed.has(id) && row.archived_at === null)
        .map(([id]) => id);
      if (gone.length > 0) {
        await tx.query(
          "UPDATE functions SET archived_at = $1, updated_at = $1 WHERE id = ANY($2::text[])",
          [now, gone],
        );
      }
      return { added, updated: changed.length - added, archived: gone.length };
    });
  }

  async recordError(id: AppId, error: string, now: number): Promise<void> {
    await this.db.query("UPDATE apps SET error = $1, updated_at = $2 WHERE id = $3", [
      error,
      now,
      id,
    ]);
  }

  async get(id: AppId): Promise<AppRecord | undefined> {
    const { rows } = await this.db.query(
      "SELECT * FROM apps WHERE id = $1 AND deleted_at IS NULL",
      [id],
    );
    return rows[0] ? appFromRow(rows[0]) : undefined;
  }

  async list(): Promise<AppRecord[]> {
    const { rows } = await this.db.query("SELECT * FROM apps WHERE deleted_at IS NULL ORDER BY id");
    return rows.map(appFromRow);
  }

  /** Archives the app's functions and leaves the app as a tombstone, in one statement. */
  async remove(id: AppId, now: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `WITH archived AS (
         UPDATE functions SET archived_at = $2, updated_at = $2 WHERE app_id = $1 AND archived_at IS NULL
       ), changed AS (SELECT pg_notify('${CONTROL_CHANNEL}', '{"kind":"apps.changed"}'))
       UPDATE apps SET deleted_at = $2, updated_at = $2
       WHERE id = $1 AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM changed)`,
      [id, now],
    );
    return rowCount > 0;
  }

  async functions(options?: { includeArchived?: boolean }): Promise<FunctionRecord[]> {
    const where = options?.includeArchived ? "" : "WHERE archived_at IS NULL";
    const { rows } = await this.db.query(`SELECT * FROM functions ${where} ORDER BY id`);
    return rows.map(functionFromRow);
  }

  async getFunction(id: FunctionId): Promise<FunctionRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM functions WHERE id = $1", [id]);
    return rows[0] ? functionFromRow(rows[0]) : undefined;
  }

  /** Tombstoned apps count too: a removal is a change other nodes must notice. */
  async lastChangeAt(): Promise<number> {
    const { rows } = await this.db.query(
      `SELECT GREATEST((SELECT MAX(updated_at) FROM apps), (SELECT MAX(updated_at) FROM functions)) AS at`,
    );
    return Number(rows[0]?.at ?? 0);
  }
}
