import type { FlowRecord, FlowStore, FlowWrite } from "@ingot/store";
import type { Database, Sql } from "./database.js";
import { json, n, nn, parseJson } from "./rows.js";

export class PostgresFlow implements FlowStore {
  constructor(private readonly db: Database) {}

  async get(input: {
    fnId: string;
    kind: string;
    key: string;
    now: number;
  }): Promise<FlowRecord | undefined> {
    const { rows } = await this.db.query(
      `SELECT value, version, expires_at FROM flow_state
       WHERE fn_id = $1 AND kind = $2 AND key = $3 AND expires_at > $4`,
      [input.fnId, input.kind, input.key, input.now],
    );
    const row = rows[0];
    return row
      ? { value: parseJson(row.value), version: n(row.version), expiresAt: n(row.expires_at) }
      : undefined;
  }

  /** `LIMIT NULL` is no limit. Rows another node is sweeping are skipped, not waited for. */
  async sweep(now: number, limit?: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM flow_state WHERE (fn_id, kind, key) IN (
         SELECT fn_id, kind, key FROM flow_state WHERE expires_at <= $1
         LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, limit ?? null],
    );
    return rowCount;
  }
}

/**
 * A version-guarded flow state write inside a commit; returns false when the guard fails (the
 * caller aborts the whole changeset). The version seen is the live one (`null` when the key is
 * absent or expired at `write.at`, when the state was read: invariant 5). Each case is one statement that locks the row it checks, so two
 * nodes writing from the same version cannot both succeed:
 * - set, expecting `null`: insert, or overwrite an expired row (`ON CONFLICT … WHERE expired`);
 * - set, expecting `v`: update where the live version is `v`;
 * - delete: delete the row and compare what it was; a mismatch rolls the delete back.
 */
export async function writeFlow(tx: Sql, write: FlowWrite): Promise<boolean> {
  const now = write.at;
  const key = [write.fnId, write.kind, write.key];
  if (write.value === undefined) {
    const { rows } = await tx.query(
      "DELETE FROM flow_state WHERE fn_id = $1 AND kind = $2 AND key = $3 RETURNING version, expires_at",
      key,
    );
    const row = rows[0];
    const live = row !== undefined && n(row.expires_at) > now ? nn(row.version) : null;
    return live === write.expect;
  }
  const value = json(write.value);
  const expiresAt = write.expiresAt ?? Number.MAX_SAFE_INTEGER;
  const { rowCount } =
    write.expect === null
      ? await tx.query(
          `INSERT INTO flow_state AS flow (fn_id, kind, key, value, version, expires_at)
           VALUES ($1, $2, $3, $4, 1, $5)
           ON CONFLICT (fn_id, kind, key) DO UPDATE
             SET value = excluded.value, version = flow.version + 1, expires_at = excluded.expires_at
             WHERE flow.expires_at <= $6`,
          [...key, value, expiresAt, now],
        )
      : await tx.query(
          `UPDATE flow_state SET value = $4, version = version + 1, expires_at = $5
           WHERE fn_id = $1 AND kind = $2 AND key = $3 AND version = $6 AND expires_at > $7`,
          [...key, value, expiresAt, write.expect, now],
        );
  return rowCount > 0;
}
