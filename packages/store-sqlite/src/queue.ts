import { randomUUID } from "node:crypto";
import type { QueueItemId } from "@ingot/protocol";
import {
  type ConcurrencyKey,
  type NewQueueItem,
  type QueueItem,
  QueueLane,
  type QueueStore,
} from "@ingot/store";
import type { GroupCommitter } from "./database.js";
import { json, queueItemFromRow, type Row, type Statements } from "./rows.js";

/** Items waiting for a concurrency slot live in this lane, which is never claimed. */
const PARKED = "parked";

/**
 * Queue writes that run inside another write (a commit, an event accept, a claim). Also the
 * concurrency bookkeeping: an item with limits holds one slot per key while leased; an item that
 * finds a key full is parked on it, and each freed slot unparks the oldest item waiting for it.
 */
export class QueueWriter {
  /** Lanes that got claimable work during the current write (unparked items). */
  readonly woken = new Set<QueueLane>();

  constructor(private readonly sql: Statements) {}

  insertAll(items: readonly NewQueueItem[], now: number): QueueItem[] {
    const inserted: QueueItem[] = [];
    for (const item of items) {
      const row = this.insert(item, now);
      if (row) inserted.push(row);
    }
    return inserted;
  }

  private insert(item: NewQueueItem, now: number): QueueItem | undefined {
    const concurrency = item.concurrency && item.concurrency.length > 0 ? item.concurrency : null;
    const full = item.claim && concurrency ? this.fullKey(concurrency) : undefined;
    const leased = item.claim !== undefined && full === undefined;
    const availableAt = leased && item.claim ? now + item.claim.leaseMs : item.availableAt;
    const owner = leased ? (item.claim?.owner ?? null) : null;
    const token = leased ? randomUUID() : null;
    const lane = full === undefined ? item.lane : PARKED;
    const values = [
      item.id,
      lane,
      item.kind,
      item.runId,
      json(item.payload),
      availableAt,
      owner,
      token,
      item.dedupeKey ?? null,
      concurrency === null ? null : json(concurrency),
      full?.key ?? null,
      item.priorityMs ?? 0,
      item.availableAt - (item.priorityMs ?? 0),
      now,
    ];
    const columns = `(id, lane, kind, run_id, payload, available_at, lease_owner, lease_token, dedupe_key, concurrency, parked_on, priority_ms, sort_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    if (item.reschedule && item.dedupeKey !== undefined && !leased) {
      // Move the waiting twin instead of adding one (debounce: the latest event pushes the timer).
      const moved = this.sql
        .get(
          "UPDATE queue SET available_at = ?, sort_at = ?, payload = ? WHERE dedupe_key = ? AND lease_owner IS NULL",
        )
        .run(
          availableAt,
          item.availableAt - (item.priorityMs ?? 0),
          json(item.payload),
          item.dedupeKey,
        ).changes;
      if (moved > 0) return undefined;
    }
    const changes = this.sql.get(`INSERT OR IGNORE INTO queue ${columns}`).run(...values).changes;
    if (changes === 0) return undefined;
    if (leased) {
      this.takeSlots(item.id, concurrency);
      if (item.lane === QueueLane.Sdk && item.runId !== null) this.markStarted(item.runId, now);
    }
    if (full !== undefined) return undefined;
    return {
      id: item.id,
      lane: item.lane,
      kind: item.kind,
      runId: item.runId,
      payload: item.payload,
      availableAt,
      leaseOwner: owner,
      leaseToken: token,
      concurrency,
      createdAt: now,
    };
  }

  /** The first key whose slots are all taken, if any. */
  fullKey(keys: readonly ConcurrencyKey[]): ConcurrencyKey | undefined {
    const count = this.sql.get("SELECT COUNT(*) AS n FROM concurrency_slots WHERE ckey = ?");
    return keys.find((key) => Number((count.get(key.key) as Row).n) >= key.limit);
  }

  takeSlots(itemId: string, keys: readonly ConcurrencyKey[] | null): void {
    if (!keys) return;
    const insert = this.sql.get(
      "INSERT OR IGNORE INTO concurrency_slots (ckey, item_id) VALUES (?, ?)",
    );
    for (const key of keys) insert.run(key.key, itemId);
  }

  park(itemId: string, key: string): void {
    this.sql.get("UPDATE queue SET lane = ?, parked_on = ? WHERE id = ?").run(PARKED, key, itemId);
  }

  /** Frees the item's slots; each freed key lets its oldest parked item back into its lane. */
  releaseSlots(itemId: string): void {
    const keys = this.sql
      .get("SELECT ckey FROM concurrency_slots WHERE item_id = ?")
      .all(itemId) as Row[];
    if (keys.length === 0) return;
    this.sql.get("DELETE FROM concurrency_slots WHERE item_id = ?").run(itemId);
    for (const row of keys) this.unparkOne(String(row.ckey));
  }

  unparkOne(key: string): void {
    const changed = this.sql
      .get(
        `UPDATE queue SET lane = ?, parked_on = NULL WHERE id = (
           SELECT id FROM queue WHERE parked_on = ? ORDER BY sort_at, id LIMIT 1)`,
      )
      .run(QueueLane.Sdk, key).changes;
    if (changed > 0) this.woken.add(QueueLane.Sdk);
  }

  markStarted(runId: string, now: number): void {
    this.sql
      .get(
        "UPDATE runs SET status = 'Running', started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'Queued'",
      )
      .run(now, runId);
  }

  /** Deletes an item (finished or cleared) and frees what it held. */
  remove(itemId: string): void {
    this.sql.get("DELETE FROM queue WHERE id = ?").run(itemId);
    this.releaseSlots(itemId);
  }
}

const NOT_DURABLE = { durable: false } as const;

export class SqliteQueue implements QueueStore {
  constructor(
    private readonly sql: Statements,
    private readonly writer: GroupCommitter,
    private readonly queueWriter: QueueWriter,
  ) {}

  claim(input: {
    lanes: readonly QueueLane[];
    now: number;
    limit: number;
    owner: string;
    leaseMs: number;
  }): Promise<QueueItem[]> {
    return this.writer.write(() => {
      const placeholders = input.lanes.map(() => "?").join(", ");
      const rows = this.sql
        .get(
          `SELECT * FROM queue WHERE lane IN (${placeholders}) AND lease_owner IS NULL AND available_at <= ? ORDER BY sort_at LIMIT ?`,
        )
        .all(...input.lanes, input.now, input.limit) as Row[];
      const until = input.now + input.leaseMs;
      const lease = this.sql.get(
        "UPDATE queue SET available_at = ?, lease_owner = ?, lease_token = ? WHERE id = ?",
      );
      const claimed: QueueItem[] = [];
      for (const row of rows) {
        const item = queueItemFromRow(row);
        const full = item.concurrency ? this.queueWriter.fullKey(item.concurrency) : undefined;
        if (full) {
          this.queueWriter.park(item.id, full.key);
          continue;
        }
        const token = randomUUID();
        lease.run(until, input.owner, token, item.id);
        this.queueWriter.takeSlots(item.id, item.concurrency);
        if (item.lane === QueueLane.Sdk && item.runId !== null)
          this.queueWriter.markStarted(item.runId, input.now);
        claimed.push({ ...item, availableAt: until, leaseOwner: input.owner, leaseToken: token });
      }
      return claimed;
      // A claim lost in a crash is harmless: the lease would have expired and been reclaimed.
    }, NOT_DURABLE);
  }

  extend(input: {
    ids: readonly QueueItemId[];
    owner: string;
    until: number;
  }): Promise<QueueItemId[]> {
    return this.writer.write(() => {
      const statement = this.sql.get(
        "UPDATE queue SET available_at = ? WHERE id = ? AND lease_owner = ?",
      );
      return input.ids.filter((id) => statement.run(input.until, id, input.owner).changes === 0);
    }, NOT_DURABLE);
  }

  release(input: { ids: readonly QueueItemId[]; owner: string; at: number }): Promise<void> {
    return this.writer.write(() => {
      for (const id of input.ids)
        this.unlease("id = ? AND lease_owner = ?", [id, input.owner], input.at);
    });
  }

  nextDueAt(lanes: readonly QueueLane[]): Promise<number | undefined> {
    const placeholders = lanes.map(() => "?").join(", ");
    const row = this.sql
      .get(
        `SELECT MIN(available_at) AS at FROM queue WHERE lane IN (${placeholders}) AND lease_owner IS NULL`,
      )
      .get(...lanes) as Row;
    return Promise.resolve(row.at === null ? undefined : Number(row.at));
  }

  reapExpired(now: number): Promise<number> {
    return this.writer.write(() =>
      this.unlease("lease_owner IS NOT NULL AND available_at <= ?", [now]),
    );
  }

  /** One process owns a SQLite file (the server holds a lock), so other owners are gone. */
  recover(owner: string, now: number): Promise<number> {
    return this.writer.write(() =>
      this.unlease("lease_owner IS NOT NULL AND lease_owner != ?", [owner], now),
    );
  }

  /**
   * Ends leases: frees their slots, and makes the items claimable again (at `at`, or no later
   * than `at`'s original time when given for recovery). An unleased twin with the same dedupe key
   * is replaced: both stand for the same work.
   */
  private unlease(where: string, params: unknown[], at?: number): number {
    const rows = this.sql.get(`SELECT id FROM queue WHERE ${where}`).all(...params) as Row[];
    const update = this.sql.get(
      at === undefined
        ? "UPDATE OR REPLACE queue SET lease_owner = NULL, lease_token = NULL, sort_at = available_at - priority_ms WHERE id = ?"
        : `UPDATE OR REPLACE queue SET lease_owner = NULL, lease_token = NULL, available_at = MIN(available_at, @at),
             sort_at = MIN(available_at, @at) - priority_ms WHERE id = @id`,
    );
    for (const row of rows) {
      const id = String(row.id);
      if (at === undefined) update.run(id);
      else update.run({ at, id });
      this.queueWriter.releaseSlots(id);
    }
    return rows.length;
  }

  get(id: QueueItemId): Promise<QueueItem | undefined> {
    const row = this.sql.get("SELECT * FROM queue WHERE id = ?").get(id) as Row | undefined;
    return Promise.resolve(row ? queueItemFromRow(row) : undefined);
  }

  countByLane(): Promise<Record<string, number>> {
    const rows = this.sql.get("SELECT lane, COUNT(*) AS n FROM queue GROUP BY lane").all() as Row[];
    return Promise.resolve(
      Object.fromEntries(rows.map((row) => [String(row.lane), Number(row.n)])),
    );
  }
}
