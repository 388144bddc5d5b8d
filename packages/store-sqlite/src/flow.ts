import type { FlowRecord, FlowStore } from "@ingot/store";
import type { GroupCommitter } from "./database.js";
import { parseJson, type Row, type Statements } from "./rows.js";

export class SqliteFlow implements FlowStore {
  constructor(
    private readonly sql: Statements,
    private readonly writer: GroupCommitter,
  ) {}

  get(input: {
    fnId: string;
    kind: string;
    key: string;
    now: number;
  }): Promise<FlowRecord | undefined> {
    const row = this.sql
      .get(
        "SELECT value, version, expires_at FROM flow_state WHERE fn_id = ? AND kind = ? AND key = ? AND expires_at > ?",
      )
      .get(input.fnId, input.kind, input.key, input.now) as Row | undefined;
    return Promise.resolve(
      row
        ? {
            value: parseJson(row.value),
            version: Number(row.version),
            expiresAt: Number(row.expires_at),
          }
        : undefined,
    );
  }

  sweep(now: number, limit = -1): Promise<number> {
    // LIMIT -1: no limit.
    return this.writer.write(
      () =>
        this.sql
          .get(
            `DELETE FROM flow_state WHERE (fn_id, kind, key) IN (
               SELECT fn_id, kind, key FROM flow_state WHERE expires_at <= ? LIMIT ?)`,
          )
          .run(now, limit).changes,
      { durable: false },
    );
  }
}
