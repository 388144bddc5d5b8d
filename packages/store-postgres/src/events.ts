import { EventId, type StoredEvent } from "@ingot/protocol";
import type { AcceptResult, EventFilter, EventStore, NewQueueItem, QueueItem } from "@ingot/store";
import type { Database, Sql } from "./database.js";
import { LockClass, lockAll } from "./locks.js";
import { dueLanes, notifyLanes } from "./notify.js";
import { insertQueueItems } from "./queue.js";
import { eventFromRow, json, s } from "./rows.js";

/** Rows per read of the wait look-back (keyset pages, so any number of events is offered). */
const LOOKBACK_PAGE = 500;

export class PostgresEvents implements EventStore {
  constructor(private readonly db: Database) {}

  /**
   * One transaction. It first takes the shared advisory lock of every event name in the batch
   * (see `locks.ts`): accepts of one name run side by side, but not while a wait on that name is
   * being created with a look-back. Idempotency keys are claimed with `INSERT … ON CONFLICT`,
   * which waits for a concurrent claim of the same key to commit or roll back, so of two nodes
   * accepting one key at once exactly one wins.
   */
  accept(input: {
    events: StoredEvent[];
    now: number;
    dedupeWindowMs: number;
    then: (accepted: StoredEvent[]) => NewQueueItem[];
  }): Promise<{ results: AcceptResult[]; enqueued: QueueItem[] }> {
    return this.db.transaction(async (tx) => {
      await lockAll(
        tx,
        input.events.map((event) => ({
          lockClass: LockClass.EventName,
          key: event.name,
          exclusive: false,
        })),
      );
      const results: (AcceptResult | undefined)[] = [];
      const candidates: StoredEvent[] = [];
      for (const event of input.events) {
        const duplicateOf = await claimKey(tx, event, input.now, input.dedupeWindowMs);
        results.push(duplicateOf === undefined ? undefined : { id: duplicateOf, duplicate: true });
        if (duplicateOf === undefined) candidates.push(event);
      }
      const inserted = await insertEvents(tx, candidates);
      const accepted: StoredEvent[] = [];
      let next = 0;
      const settled = results.map((result): AcceptResult => {
        if (result) return result;
        const event = candidates[next++];
        if (!event) throw new Error("accept: results and candidates out of step");
        if (!inserted.delete(event.id)) return { id: event.id, duplicate: true };
        accepted.push(event);
        return { id: event.id, duplicate: false };
      });
      const enqueued =
        accepted.length > 0 ? await insertQueueItems(tx, input.then(accepted), input.now) : [];
      await notifyLanes(tx, dueLanes(enqueued, input.now));
      return { results: settled, enqueued };
    });
  }

  async get(id: EventId): Promise<StoredEvent | undefined> {
    const { rows } = await this.db.query("SELECT * FROM events WHERE id = $1", [id]);
    return rows[0] ? eventFromRow(rows[0]) : undefined;
  }

  async getMany(ids: readonly EventId[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query("SELECT * FROM events WHERE id = ANY($1::text[])", [ids]);
    const byId = new Map(rows.map((row) => [s(row.id), row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [eventFromRow(row)] : [];
    });
  }

  async list(filter: EventFilter): Promise<StoredEvent[]> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.name !== undefined) clauses.push(`name = ${param(filter.name)}`);
    if (filter.excludeInternal) clauses.push("name NOT LIKE 'inngest/%'");
    if (filter.before !== undefined && filter.beforeId !== undefined) {
      clauses.push(
        `(received_at, id) < (${param(filter.before)}::bigint, ${param(filter.beforeId)})`,
      );
    } else if (filter.before !== undefined) {
      clauses.push(`received_at < ${param(filter.before)}`);
    }
    if (filter.after !== undefined) clauses.push(`received_at >= ${param(filter.after)}`);
    const where = clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    const { rows } = await this.db.query(
      `SELECT * FROM events ${where} ORDER BY received_at DESC, id DESC LIMIT ${param(filter.limit)}`,
      params,
    );
    return rows.map(eventFromRow);
  }
}

/**
 * Claims the event's idempotency key for `windowMs`, unless an unexpired claim holds it: then
 * returns the id of the event that claimed it.
 */
async function claimKey(
  tx: Sql,
  event: StoredEvent,
  now: number,
  windowMs: number,
): Promise<EventId | undefined> {
  if (event.idempotencyKey === undefined) return undefined;
  const claimed = await tx.query(
    `INSERT INTO event_keys (key, event_id, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
     WHERE event_keys.expires_at <= $4
     RETURNING event_id`,
    [event.idempotencyKey, event.id, now + windowMs, now],
  );
  if (claimed.rowCount > 0) return undefined;
  // A new statement, so a claim committed by another transaction while this one waited is seen.
  const { rows } = await tx.query("SELECT event_id FROM event_keys WHERE key = $1", [
    event.idempotencyKey,
  ]);
  const holder = rows[0]?.event_id;
  if (typeof holder !== "string") throw new Error(`event key ${event.idempotencyKey} vanished`);
  return EventId(holder);
}

/** Inserts events not stored yet, in one statement; returns the ids actually inserted. */
export async function insertEvents(tx: Sql, events: readonly StoredEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { rows } = await tx.query(
    `INSERT INTO events (id, name, data, ts, user_data, v, idempotency_key, received_at)
     SELECT id, name, data, ts, user_data, v, idempotency_key, received_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                 $7::text[], $8::bigint[]) WITH ORDINALITY
          AS event (id, name, data, ts, user_data, v, idempotency_key, received_at, ord)
     ORDER BY ord
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      events.map((event) => event.id),
      events.map((event) => event.name),
      events.map((event) => json(event.data)),
      events.map((event) => event.ts),
      events.map((event) => (event.user === undefined ? null : json(event.user))),
      events.map((event) => event.v ?? null),
      events.map((event) => event.idempotencyKey ?? null),
      events.map((event) => event.receivedAt),
    ],
  );
  return new Set(rows.map((row) => s(row.id)));
}

/**
 * Events named `name` received at or after `since`, oldest first, read page by page (wait
 * look-back) until `visit` returns true. Returns the event it stopped at.
 */
export async function findRecent(
  tx: Sql,
  input: { name: string; since: number; visit: (event: StoredEvent) => boolean },
): Promise<StoredEvent | undefined> {
  let cursor: { receivedAt: number; id: string } | undefined;
  for (;;) {
    const { rows } = cursor
      ? await tx.query(
          `SELECT * FROM events WHERE name = $1 AND received_at >= $2 AND (received_at, id) > ($3::bigint, $4)
           ORDER BY received_at, id LIMIT $5`,
          [input.name, input.since, cursor.receivedAt, cursor.id, LOOKBACK_PAGE],
        )
      : await tx.query(
          "SELECT * FROM events WHERE name = $1 AND received_at >= $2 ORDER BY received_at, id LIMIT $3",
          [input.name, input.since, LOOKBACK_PAGE],
        );
    for (const row of rows) {
      const event = eventFromRow(row);
      if (input.visit(event)) return event;
      cursor = { receivedAt: event.receivedAt, id: event.id };
    }
    if (rows.length < LOOKBACK_PAGE) return undefined;
  }
}
