import { EventId, RunStatus } from "@ingot/protocol";
import type { EventCursor, PrunedEvents, PrunedRuns, RetentionStore } from "@ingot/store";
import type { Db, GroupCommitter } from "./database.js";
import type { Row, Statements } from "./rows.js";

const FINISHED = [RunStatus.Completed, RunStatus.Failed, RunStatus.Cancelled]
  .map((status) => `'${status}'`)
  .join(", ");

/** `PRAGMA auto_vacuum` value of INCREMENTAL. */
const INCREMENTAL = 2;

/**
 * Pruning for `--retention`. Each batch is one write of the group committer, so it runs between
 * other writes, never alongside them; a batch of a few hundred runs takes a few milliseconds.
 * Writes are not durable on their own (a pruning lost in a crash is simply done again).
 */
export class SqliteRetention implements RetentionStore {
  constructor(
    private readonly db: Db,
    private readonly sql: Statements,
    private readonly writer: GroupCommitter,
  ) {}

  pruneRuns(input: { before: number; limit: number }): Promise<PrunedRuns> {
    return this.writer.write(
      () => {
        const runs = this.sql
          .get(
            // Without statistics the planner prefers runs_status and sorts every finished run.
            `SELECT id FROM runs INDEXED BY runs_ended
             WHERE ended_at IS NOT NULL AND ended_at < ? AND status IN (${FINISHED})
             ORDER BY ended_at LIMIT ?`,
          )
          .all(input.before, input.limit) as Row[];
        const pruned: PrunedRuns = { runs: 0, steps: 0, history: 0, aiCalls: 0, waits: 0 };
        for (const { id } of runs) {
          pruned.steps += this.delete("steps", "run_id", id);
          pruned.history += this.delete("history", "run_id", id);
          pruned.aiCalls += this.delete("ai_calls", "run_id", id);
          pruned.waits += this.delete("waits", "run_id", id);
          this.delete("run_events", "run_id", id);
          pruned.runs += this.delete("runs", "id", id);
        }
        return pruned;
      },
      { durable: false },
    );
  }

  pruneEvents(input: {
    before: number;
    limit: number;
    after?: EventCursor;
    readers: readonly string[];
    readerMarginMs: number;
  }): Promise<PrunedEvents> {
    return this.writer.write(
      () => {
        const held = this.oldestReader(input.readers);
        const cutoff =
          held === undefined ? input.before : Math.min(input.before, held - input.readerMarginMs);
        const rows = (
          input.after
            ? this.sql
                .get(
                  `SELECT id, received_at FROM events
                   WHERE received_at < ? AND (received_at, id) > (?, ?)
                   ORDER BY received_at, id LIMIT ?`,
                )
                .all(cutoff, input.after.receivedAt, input.after.id, input.limit)
            : this.sql
                .get(
                  "SELECT id, received_at FROM events WHERE received_at < ? ORDER BY received_at, id LIMIT ?",
                )
                .all(cutoff, input.limit)
        ) as Row[];
        const remove = this.sql.get(
          "DELETE FROM events WHERE id = ? AND NOT EXISTS (SELECT 1 FROM run_events WHERE event_id = ?)",
        );
        let deleted = 0;
        for (const row of rows) deleted += remove.run(row.id, row.id).changes;
        const last = rows.at(-1);
        return {
          deleted,
          scanned: rows.length,
          ...(last
            ? { last: { receivedAt: Number(last.received_at), id: EventId(String(last.id)) } }
            : {}),
        };
      },
      { durable: false },
    );
  }

  sweepEventKeys(now: number, limit: number): Promise<number> {
    return this.writer.write(
      () =>
        this.sql
          .get(
            "DELETE FROM event_keys WHERE key IN (SELECT key FROM event_keys WHERE expires_at <= ? LIMIT ?)",
          )
          .run(now, limit).changes,
      { durable: false },
    );
  }

  usage(): Promise<{ bytes: number; freeBytes: number; shrinks: boolean }> {
    const pageSize = this.pragma("page_size");
    return Promise.resolve({
      bytes: this.pragma("page_count") * pageSize,
      freeBytes: this.pragma("freelist_count") * pageSize,
      shrinks: this.pragma("auto_vacuum") === INCREMENTAL,
    });
  }

  /**
   * `PRAGMA incremental_vacuum(n)` moves pages from the end of the file into free ones and
   * truncates the file (at the next WAL checkpoint). Without incremental auto-vacuum (a database
   * created before it) free pages are still reused, so the file stops growing but keeps its size.
   */
  reclaim(maxBytes: number): Promise<number> {
    if (this.pragma("auto_vacuum") !== INCREMENTAL) return Promise.resolve(0);
    return this.writer.write(
      () => {
        const pageSize = this.pragma("page_size");
        const before = this.pragma("freelist_count");
        const pages = Math.min(before, Math.floor(maxBytes / pageSize));
        if (pages <= 0) return 0;
        // exec, not a prepared statement: run() would step once and free a single page.
        this.db.exec(`PRAGMA incremental_vacuum(${pages})`);
        return (before - this.pragma("freelist_count")) * pageSize;
      },
      { durable: false },
    );
  }

  private oldestReader(kinds: readonly string[]): number | undefined {
    const oldest = this.sql.get(
      "SELECT MIN(created_at) AS at FROM queue WHERE run_id IS NULL AND kind = ?",
    );
    let held: number | undefined;
    for (const kind of kinds) {
      const at = (oldest.get(kind) as Row | undefined)?.at;
      if (at !== null && at !== undefined) held = Math.min(held ?? Infinity, Number(at));
    }
    return held;
  }

  private delete(table: string, column: string, value: unknown): number {
    return this.sql.get(`DELETE FROM ${table} WHERE ${column} = ?`).run(value).changes;
  }

  private pragma(name: string): number {
    return Number(this.db.pragma(name, { simple: true }));
  }
}
