import { EventId, RunStatus } from "@ingot/protocol";
import type { EventCursor, PrunedEvents, PrunedRuns, RetentionStore } from "@ingot/store";
import type { Database } from "./database.js";
import { n, s } from "./rows.js";

const FINISHED = [RunStatus.Completed, RunStatus.Failed, RunStatus.Cancelled];

/**
 * Pruning for `--retention`. Each batch is one statement (its own short transaction). Rows are
 * picked `FOR UPDATE SKIP LOCKED`, so nodes pruning at the same time take different runs and
 * events instead of waiting for each other, and each deletion is counted by one node only.
 * The space of deleted rows is made reusable by autovacuum; the files do not shrink (a
 * `VACUUM FULL` would lock the tables, and the space is reused by new rows anyway).
 */
export class PostgresRetention implements RetentionStore {
  constructor(private readonly db: Database) {}

  async pruneRuns(input: { before: number; limit: number }): Promise<PrunedRuns> {
    const { rows } = await this.db.query(
      `WITH doomed AS (
         SELECT id FROM runs
         WHERE ended_at IS NOT NULL AND ended_at < $1 AND status = ANY($3::text[])
         ORDER BY ended_at LIMIT $2
         FOR UPDATE SKIP LOCKED
       ),
       steps_gone AS (DELETE FROM steps WHERE run_id IN (SELECT id FROM doomed) RETURNING 1),
       history_gone AS (DELETE FROM history WHERE run_id IN (SELECT id FROM doomed) RETURNING 1),
       calls_gone AS (DELETE FROM ai_calls WHERE run_id IN (SELECT id FROM doomed) RETURNING 1),
       waits_gone AS (DELETE FROM waits WHERE run_id IN (SELECT id FROM doomed) RETURNING 1),
       links_gone AS (DELETE FROM run_events WHERE run_id IN (SELECT id FROM doomed) RETURNING 1),
       runs_gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM doomed) RETURNING 1)
       SELECT (SELECT count(*) FROM runs_gone) AS runs,
              (SELECT count(*) FROM steps_gone) AS steps,
              (SELECT count(*) FROM history_gone) AS history,
              (SELECT count(*) FROM calls_gone) AS ai_calls,
              (SELECT count(*) FROM waits_gone) AS waits,
              (SELECT count(*) FROM links_gone) AS links`,
      [input.before, input.limit, FINISHED],
    );
    const row = rows[0] ?? {};
    return {
      runs: n(row.runs ?? 0),
      steps: n(row.steps ?? 0),
      history: n(row.history ?? 0),
      aiCalls: n(row.ai_calls ?? 0),
      waits: n(row.waits ?? 0),
    };
  }

  async pruneEvents(input: {
    before: number;
    limit: number;
    after?: EventCursor;
    readers: readonly string[];
    readerMarginMs: number;
  }): Promise<PrunedEvents> {
    // LEAST ignores NULL: with no reader item pending, the cutoff is `before`.
    const { rows } = await this.db.query(
      `WITH held AS (
         SELECT MIN(oldest.at) AS at FROM unnest($3::text[]) AS reader (kind),
           LATERAL (SELECT MIN(created_at) AS at FROM queue
                    WHERE run_id IS NULL AND queue.kind = reader.kind) AS oldest
       ),
       scanned AS (
         SELECT id, received_at FROM events
         WHERE received_at < LEAST($1::bigint, (SELECT at FROM held) - $4::bigint)
           AND (received_at, id) > ($5::bigint, $6::text)
         ORDER BY received_at, id LIMIT $2
       ),
       doomed AS (
         SELECT id FROM events
         WHERE id IN (SELECT id FROM scanned)
           AND NOT EXISTS (SELECT 1 FROM run_events WHERE run_events.event_id = events.id)
         FOR UPDATE SKIP LOCKED
       ),
       gone AS (DELETE FROM events WHERE id IN (SELECT id FROM doomed) RETURNING 1),
       last AS (SELECT id, received_at FROM scanned ORDER BY received_at DESC, id DESC LIMIT 1)
       SELECT (SELECT count(*) FROM gone) AS deleted, (SELECT count(*) FROM scanned) AS scanned,
              (SELECT id FROM last) AS last_id, (SELECT received_at FROM last) AS last_at`,
      [
        input.before,
        input.limit,
        [...input.readers],
        input.readerMarginMs,
        input.after?.receivedAt ?? Number.MIN_SAFE_INTEGER,
        input.after?.id ?? "",
      ],
    );
    const row = rows[0] ?? {};
    const last =
      row.last_id === null || row.last_id === undefined
        ? undefined
        : { receivedAt: n(row.last_at), id: EventId(s(row.last_id)) };
    return {
      deleted: n(row.deleted ?? 0),
      scanned: n(row.scanned ?? 0),
      ...(last ? { last } : {}),
    };
  }

  async sweepEventKeys(now: number, limit: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM event_keys WHERE key IN (
         SELECT key FROM event_keys WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, limit],
    );
    return rowCount;
  }

  async usage(): Promise<{ bytes: number; freeBytes: number; shrinks: boolean }> {
    const { rows } = await this.db.query("SELECT pg_database_size(current_database()) AS bytes");
    return { bytes: n(rows[0]?.bytes ?? 0), freeBytes: 0, shrinks: false };
  }

  reclaim(): Promise<number> {
    return Promise.resolve(0);
  }
}
