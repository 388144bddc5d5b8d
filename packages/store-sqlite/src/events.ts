import type { EventId, StoredEvent } from "@ingot/protocol";
import type { AcceptResult, EventFilter, EventStore, NewQueueItem, QueueItem } from "@ingot/store";
import type { GroupCommitter } from "./database.js";
import type { QueueWriter } from "./queue.js";
import { eventFromRow, json, type Row, type Statements } from "./rows.js";

export class SqliteEvents implements EventStore {
  constructor(
    private readonly sql: Statements,
    private readonly writer: GroupCommitter,
    private readonly queue: QueueWriter,
  ) {}

  accept(input: {
    events: StoredEvent[];
    now: number;
    dedupeWindowMs: number;
    then: (accepted: StoredEvent[]) => NewQueueItem[];
  }): Promise<{ results: AcceptResult[]; enqueued: QueueItem[] }> {
    return this.writer.write(() => {
      const results: AcceptResult[] = [];
      const accepted: StoredEvent[] = [];
      for (const event of input.events) {
        const duplicateOf = this.claimKey(event, input.now, input.dedupeWindowMs);
        if (duplicateOf !== undefined) {
          results.push({ id: duplicateOf, duplicate: true });
          continue;
        }
        if (!this.insert(event)) {
          results.push({ id: event.id, duplicate: true });
          continue;
        }
        results.push({ id: event.id, duplicate: false });
        accepted.push(event);
      }
      const enqueued =
        accepted.length > 0 ? this.queue.insertAll(input.then(accepted), input.now) : [];
      return { results, enqueued };
    });
  }

  /** Returns the earlier event's id when the idempotency key is still live. */
  private claimKey(event: StoredEvent, now: number, windowMs: number): EventId | undefined {
    if (event.idempotencyKey === undefined) return undefined;
    const row = this.sql
      .get("SELECT event_id, expires_at FROM event_keys WHERE key = ?")
      .get(event.idempotencyKey) as Row | undefined;
    if (row && Number(row.expires_at) > now) return String(row.event_id) as EventId;
    this.sql
      .get(
        `INSERT INTO event_keys (key, event_id, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at`,
      )
      .run(event.idempotencyKey, event.id, now + windowMs);
    return undefined;
  }

  insert(event: StoredEvent): boolean {
    return (
      this.sql
        .get(
          `INSERT OR IGNORE INTO events (id, name, data, ts, user, v, idempotency_key, received_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          event.id,
          event.name,
          json(event.data),
          event.ts,
          event.user === undefined ? null : json(event.user),
          event.v ?? null,
          event.idempotencyKey ?? null,
          event.receivedAt,
        ).changes > 0
    );
  }

  /** Events named `name` received at or after `since`, oldest first, read lazily (wait lookback). */
  *recent(name: string, since: number): Generator<StoredEvent> {
    const rows = this.sql
      .get("SELECT * FROM events WHERE name = ? AND received_at >= ? ORDER BY received_at, id")
      .iterate(name, since) as IterableIterator<Row>;
    for (const row of rows) yield eventFromRow(row);
  }

  get(id: EventId): Promise<StoredEvent | undefined> {
    const row = this.sql.get("SELECT * FROM events WHERE id = ?").get(id) as Row | undefined;
    return Promise.resolve(row ? eventFromRow(row) : undefined);
  }

  getMany(ids: readonly EventId[]): Promise<StoredEvent[]> {
    const statement = this.sql.get("SELECT * FROM events WHERE id = ?");
    const found: StoredEvent[] = [];
    for (const id of ids) {
      const row = statement.get(id) as Row | undefined;
      if (row) found.push(eventFromRow(row));
    }
    return Promise.resolve(found);
  }

  list(filter: EventFilter): Promise<StoredEvent[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.name !== undefined) {
      clauses.push("name = ?");
      params.push(filter.name);
    }
    if (filter.excludeInternal) clauses.push("name NOT LIKE 'inngest/%'");
    if (filter.before !== undefined && filter.beforeId !== undefined) {
      clauses.push("(received_at < ? OR (received_at = ? AND id < ?))");
      params.push(filter.before, filter.before, filter.beforeId);
    } else if (filter.before !== undefined) {
      clauses.push("received_at < ?");
      params.push(filter.before);
    }
    if (filter.after !== undefined) {
      clauses.push("received_at >= ?");
      params.push(filter.after);
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    const rows = this.sql
      .get(`SELECT * FROM events ${where} ORDER BY received_at DESC, id DESC LIMIT ?`)
      .all(...params, filter.limit) as Row[];
    return Promise.resolve(rows.map(eventFromRow));
  }
}
