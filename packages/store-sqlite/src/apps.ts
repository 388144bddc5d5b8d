import type { AppId, FunctionId } from "@ingot/protocol";
import type { AppRecord, AppStore, AppSync, FunctionRecord } from "@ingot/store";
import type { GroupCommitter } from "./database.js";
import { appFromRow, functionFromRow, json, type Row, type Statements } from "./rows.js";

export class SqliteApps implements AppStore {
  constructor(
    private readonly sql: Statements,
    private readonly writer: GroupCommitter,
  ) {}

  sync({
    app,
    functions,
    now,
  }: AppSync): Promise<{ added: number; updated: number; archived: number }> {
    return this.writer.write(() => {
      this.sql
        .get(
          `INSERT INTO apps (id, url, sdk, framework, app_version, error, synced_at, created_at, updated_at)
           VALUES (@id, @url, @sdk, @framework, @appVersion, NULL, @now, @now, @now)
           ON CONFLICT (id) DO UPDATE SET url = excluded.url, sdk = excluded.sdk,
             framework = excluded.framework, app_version = excluded.app_version, error = NULL,
             synced_at = excluded.synced_at, updated_at = excluded.updated_at, deleted_at = NULL`,
        )
        .run({ ...app, now });
      const existing = new Map(
        (
          this.sql
            .get("SELECT id, name, config, archived_at FROM functions WHERE app_id = ?")
            .all(app.id) as Row[]
        ).map((row) => [String(row.id), row]),
      );
      let added = 0;
      let updated = 0;
      const listed = new Set<string>();
      for (const fn of functions) {
        listed.add(fn.id);
        const config = json(fn.config);
        const previous = existing.get(fn.id);
        if (!previous) added++;
        else if (
          previous.config !== config ||
          previous.name !== fn.name ||
          previous.archived_at !== null
        ) {
          updated++;
        } else continue;
        this.sql
          .get(
            `INSERT INTO functions (id, uuid, app_id, name, config, created_at, updated_at, archived_at)
             VALUES (@id, @uuid, @appId, @name, @config, @now, @now, NULL)
             ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id, name = excluded.name,
               config = excluded.config, updated_at = excluded.updated_at, archived_at = NULL`,
          )
          .run({ id: fn.id, uuid: fn.uuid, appId: app.id, name: fn.name, config, now });
      }
      let archived = 0;
      for (const [id, row] of existing) {
        if (listed.has(id) || row.archived_at !== null) continue;
        this.sql
          .get("UPDATE functions SET archived_at = ?, updated_at = ? WHERE id = ?")
          .run(now, now, id);
        archived++;
      }
      return { added, updated, archived };
    });
  }

  recordError(id: AppId, error: string, now: number): Promise<void> {
    return this.writer.write(() => {
      this.sql.get("UPDATE apps SET error = ?, updated_at = ? WHERE id = ?").run(error, now, id);
    });
  }

  get(id: AppId): Promise<AppRecord | undefined> {
    const row = this.sql.get("SELECT * FROM apps WHERE id = ? AND deleted_at IS NULL").get(id) as
      Row | undefined;
    return Promise.resolve(row ? appFromRow(row) : undefined);
  }

  list(): Promise<AppRecord[]> {
    const rows = this.sql
      .get("SELECT * FROM apps WHERE deleted_at IS NULL ORDER BY id")
      .all() as Row[];
    return Promise.resolve(rows.map(appFromRow));
  }

  remove(id: AppId, now: number): Promise<boolean> {
    return this.writer.write(() => {
      this.sql
        .get(
          "UPDATE functions SET archived_at = ?, updated_at = ? WHERE app_id = ? AND archived_at IS NULL",
        )
        .run(now, now, id);
      return (
        this.sql
          .get("UPDATE apps SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL")
          .run(now, now, id).changes > 0
      );
    });
  }

  functions(options?: { includeArchived?: boolean }): Promise<FunctionRecord[]> {
    const where = options?.includeArchived ? "" : "WHERE archived_at IS NULL";
    const rows = this.sql.get(`SELECT * FROM functions ${where} ORDER BY id`).all() as Row[];
    return Promise.resolve(rows.map(functionFromRow));
  }

  getFunction(id: FunctionId): Promise<FunctionRecord | undefined> {
    const row = this.sql.get("SELECT * FROM functions WHERE id = ?").get(id) as Row | undefined;
    return Promise.resolve(row ? functionFromRow(row) : undefined);
  }

  lastChangeAt(): Promise<number> {
    const row = this.sql
      .get(
        "SELECT MAX(at) AS at FROM (SELECT MAX(updated_at) AS at FROM apps UNION ALL SELECT MAX(updated_at) FROM functions)",
      )
      .get() as Row;
    return Promise.resolve(Number(row.at ?? 0));
  }
}
