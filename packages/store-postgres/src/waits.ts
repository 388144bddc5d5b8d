import type { RunId } from "@ingot/protocol";
import type { WaitKind, WaitRecord, WaitStore } from "@ingot/store";
import type { Database } from "./database.js";
import { waitFromRow } from "./rows.js";

export class PostgresWaits implements WaitStore {
  constructor(private readonly db: Database) {}

  async matchPaths(kind: WaitKind, key: string): Promise<(string | null)[]> {
    const { rows } = await this.db.query(
      "SELECT DISTINCT match_path FROM waits WHERE kind = $1 AND key = $2",
      [kind, key],
    );
    return rows.map((row) => (typeof row.match_path === "string" ? row.match_path : null));
  }

  /** Unindexed waits first, then the index matches of each probe, as SQLite returns them. */
  async candidates(input: {
    kind: WaitKind;
    key: string;
    probes: { path: string; value: string }[];
  }): Promise<WaitRecord[]> {
    const { rows } = await this.db.query(
      `SELECT waits.* FROM waits
       LEFT JOIN unnest($3::text[], $4::text[]) WITH ORDINALITY AS probe (path, value, ord)
         ON waits.match_path = probe.path AND waits.match_value = probe.value
       WHERE waits.kind = $1 AND waits.key = $2
         AND (waits.match_path IS NULL OR probe.ord IS NOT NULL)
       ORDER BY probe.ord NULLS FIRST, waits.created_at, waits.id`,
      [
        input.kind,
        input.key,
        input.probes.map((probe) => probe.path),
        input.probes.map((probe) => probe.value),
      ],
    );
    return rows.map(waitFromRow);
  }

  async byKey(kind: WaitKind, key: string): Promise<WaitRecord[]> {
    const { rows } = await this.db.query(
      "SELECT * FROM waits WHERE kind = $1 AND key = $2 ORDER BY created_at, id",
      [kind, key],
    );
    return rows.map(waitFromRow);
  }

  async forRun(runId: RunId): Promise<WaitRecord[]> {
    const { rows } = await this.db.query(
      "SELECT * FROM waits WHERE run_id = $1 ORDER BY created_at, id",
      [runId],
    );
    return rows.map(waitFromRow);
  }

  async get(id: string): Promise<WaitRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM waits WHERE id = $1", [id]);
    return rows[0] ? waitFromRow(rows[0]) : undefined;
  }
}
