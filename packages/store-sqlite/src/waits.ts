import type { RunId } from "@ingot/protocol";
import type { WaitKind, WaitRecord, WaitStore } from "@ingot/store";
import { type Row, type Statements, waitFromRow } from "./rows.js";

export class SqliteWaits implements WaitStore {
  constructor(private readonly sql: Statements) {}

  matchPaths(kind: WaitKind, key: string): Promise<(string | null)[]> {
    const rows = this.sql
      .get("SELECT DISTINCT match_path FROM waits WHERE kind = ? AND key = ?")
      .all(kind, key) as Row[];
    return Promise.resolve(
      rows.map((row) => (typeof row.match_path === "string" ? row.match_path : null)),
    );
  }

  candidates(input: {
    kind: WaitKind;
    key: string;
    probes: { path: string; value: string }[];
  }): Promise<WaitRecord[]> {
    const rows = this.sql
      .get(
        "SELECT * FROM waits WHERE kind = ? AND key = ? AND match_path IS NULL ORDER BY created_at, id",
      )
      .all(input.kind, input.key) as Row[];
    const indexed = this.sql.get(
      "SELECT * FROM waits WHERE kind = ? AND key = ? AND match_path = ? AND match_value = ? ORDER BY created_at, id",
    );
    for (const probe of input.probes) {
      rows.push(...(indexed.all(input.kind, input.key, probe.path, probe.value) as Row[]));
    }
    return Promise.resolve(rows.map(waitFromRow));
  }

  byKey(kind: WaitKind, key: string): Promise<WaitRecord[]> {
    const rows = this.sql
      .get("SELECT * FROM waits WHERE kind = ? AND key = ? ORDER BY created_at, id")
      .all(kind, key) as Row[];
    return Promise.resolve(rows.map(waitFromRow));
  }

  forRun(runId: RunId): Promise<WaitRecord[]> {
    const rows = this.sql
      .get("SELECT * FROM waits WHERE run_id = ? ORDER BY created_at, id")
      .all(runId) as Row[];
    return Promise.resolve(rows.map(waitFromRow));
  }

  get(id: string): Promise<WaitRecord | undefined> {
    const row = this.sql.get("SELECT * FROM waits WHERE id = ?").get(id) as Row | undefined;
    return Promise.resolve(row ? waitFromRow(row) : undefined);
  }
}
