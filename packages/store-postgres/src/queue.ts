import { randomUUID } from "node:crypto";
import type { QueueItemId } from "@ingot/protocol";
import type { ConcurrencyKey, NewQueueItem, QueueItem, QueueLane, QueueStore } from "@ingot/store";
import { fullKey, lockKeys, PARKED, releaseSlots, takeSlots } from "./concurrency.js";
import type { Database, Row, Sql } from "./database.js";
import { notifyLanes } from "./notify.js";
import { isLane, json, queueItemFromRow, s } from "./rows.js";

const COLUMNS =
  "id, lane, kind, run_id, payload, available_at, lease_owner, lease_token, dedupe_key, concurrency, parked_on, priority_ms, sort_at, created_at";

interface Prepared {
  item: NewQueueItem;
  row: QueueItem;
  /** The lane stored: the item's, or `parked`. */
  lane: string;
  parkedOn: string | null;
  sortAt: number;
}

/**
 * Inserts queue items inside a transaction (a commit, an event accept). Plain items go in one
 * statement whose `ON CONFLICT DO NOTHING` skips an id already there and an item whose
 * `dedupeKey` an unleased item holds (the partial unique index `queue_dedupe`), also between
 * items of one batch. Items inserted with `claim` come leased, and their `sdk` runs are marked
 * Running. Two kinds go one by one: `reschedule` items move their unleased twin instead, and
 * `claim` items with concurrency limits first count the keys' slots (under the keys' locks) and
 * are parked when one is full. Returns the items inserted (not moved twins, not parked items).
 */
export async function insertQueueItems(
  tx: Sql,
  items: readonly NewQueueItem[],
  now: number,
): Promise<QueueItem[]> {
  const inserted: QueueItem[] = [];
  let plain: Prepared[] = [];
  const flush = async (): Promise<void> => {
    inserted.push(...(await insertPlain(tx, plain, now)));
    plain = [];
  };
  for (const item of items) {
    const concurrency = item.concurrency && item.concurrency.length > 0 ? item.concurrency : null;
    const gated = item.claim !== undefined && concurrency !== null;
    if (!gated && !(item.reschedule && item.dedupeKey !== undefined && !item.claim)) {
      plain.push(prepare(item, now, undefined));
      continue;
    }
    await flush();
    if (gated) {
      await lockKeys(
        tx,
        concurrency.map((key) => key.key),
      );
      const full = await fullKey(tx, concurrency);
      const prepared = prepare(item, now, full);
      const [row] = await insertPlain(tx, [prepared], now);
      if (row && !full) inserted.push(row);
    } else {
      const row = await reschedule(tx, prepare(item, now, undefined));
      if (row) inserted.push(row);
    }
  }
  await flush();
  return inserted;
}

function prepare(item: NewQueueItem, now: number, full: ConcurrencyKey | undefined): Prepared {
  const concurrency = item.concurrency && item.concurrency.length > 0 ? item.concurrency : null;
  const leased = item.claim !== undefined && full === undefined;
  return {
    item,
    row: {
      id: item.id,
      lane: item.lane,
      kind: item.kind,
      runId: item.runId,
      payload: item.payload,
      availableAt: leased && item.claim ? now + item.claim.leaseMs : item.availableAt,
      leaseOwner: leased ? (item.claim?.owner ?? null) : null,
      leaseToken: leased ? randomUUID() : null,
      concurrency,
      createdAt: now,
    },
    lane: full === undefined ? item.lane : PARKED,
    parkedOn: full?.key ?? null,
    sortAt: item.availableAt - (item.priorityMs ?? 0),
  };
}

/** Binds prepared items column by column (`unnest` of one array per column). */
function columnValues(batch: readonly Prepared[], now: number): unknown[] {
  return [
    batch.map(({ row }) => row.id),
    batch.map(({ lane }) => lane),
    batch.map(({ row }) => row.kind),
    batch.map(({ row }) => row.runId),
    batch.map(({ item }) => json(item.payload)),
    batch.map(({ row }) => row.availableAt),
    batch.map(({ row }) => row.leaseOwner),
    batch.map(({ row }) => row.leaseToken),
    batch.map(({ item }) => item.dedupeKey ?? null),
    batch.map(({ row }) => (row.concurrency === null ? null : json(row.concurrency))),
    batch.map(({ parkedOn }) => parkedOn),
    batch.map(({ item }) => item.priorityMs ?? 0),
    batch.map(({ sortAt }) => sortAt),
    now,
  ];
}

const UNNEST = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                      $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::bigint[])
                      WITH ORDINALITY
  AS item (id, lane, kind, run_id, payload, available_at, lease_owner, lease_token, dedupe_key,
           concurrency, parked_on, priority_ms, sort_at, ord)`;

async function insertPlain(tx: Sql, batch: readonly Prepared[], now: number): Promise<QueueItem[]> {
  if (batch.length === 0) return [];
  const { rows } = await tx.query(
    `WITH inserted AS (
       INSERT INTO queue (${COLUMNS})
       SELECT id, lane, kind, run_id, payload, available_at, lease_owner, lease_token, dedupe_key,
              concurrency, parked_on, priority_ms, sort_at, $14
       FROM ${UNNEST}
       ORDER BY ord
       ON CONFLICT DO NOTHING
       RETURNING id, lease_token, lane, run_id, concurrency
     ), slots AS (
       INSERT INTO concurrency_slots (ckey, item_id)
       SELECT limits.key, inserted.id
       FROM inserted, json_to_recordset(inserted.concurrency::json) AS limits (key text)
       WHERE inserted.lease_token IS NOT NULL
       ON CONFLICT DO NOTHING
     ), started AS (
       UPDATE runs SET status = 'Running', started_at = COALESCE(started_at, $14)
       WHERE status = 'Queued'
         AND id IN (SELECT run_id FROM inserted WHERE lease_token IS NOT NULL AND lane = 'sdk')
     )
     SELECT id, lease_token FROM inserted`,
    columnValues(batch, now),
  );
  // The same id twice in a batch: only the first was inserted. Tokens tell leased twins apart.
  const taken = new Set(rows.map((row) => `${s(row.id)}\u0000${s(row.lease_token)}`));
  return batch
    .filter(({ row }) => taken.delete(`${row.id}\u0000${row.leaseToken ?? ""}`))
    .map(({ row }) => row);
}

/**
 * Debounce: when an unleased item holds the dedupe key, it moves to this item's time and
 * payload; otherwise this item is inserted. One statement, so a claim cannot slip in between.
 */
async function reschedule(tx: Sql, prepared: Prepared): Promise<QueueItem | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO queue (${COLUMNS})
     SELECT id, lane, kind, run_id, payload, available_at, lease_owner, lease_token, dedupe_key,
            concurrency, parked_on, priority_ms, sort_at, $14
     FROM ${UNNEST}
     ON CONFLICT (dedupe_key) WHERE lease_owner IS NULL
     DO UPDATE SET available_at = excluded.available_at, sort_at = excluded.sort_at, payload = excluded.payload
     RETURNING (xmax = 0) AS inserted`,
    columnValues([prepared], prepared.row.createdAt),
  );
  return rows[0]?.inserted === true ? prepared.row : undefined;
}

/**
 * The items of `where` become unleased (at `LEAST(available_at, at)` when `at` is given, their
 * claim order moved with it: `sort_at = available_at - priority_ms`) and free their concurrency
 * slots. The partial unique index allows one unleased item per dedupe
 * key, so first each key keeps one item: a released item wins over an unleased twin (which is
 * deleted), as SQLite's `UPDATE OR REPLACE` does; of several released items with one key the one
 * with the highest id stays.
 */
async function unlease(
  tx: Sql,
  input: { where: string; params: unknown[]; at?: number },
): Promise<{ lanes: QueueLane[]; woken: QueueLane[] }> {
  await tx.query(
    `DELETE FROM queue WHERE id IN (
       SELECT id FROM (
         SELECT id, row_number() OVER (
                  PARTITION BY dedupe_key ORDER BY (lease_owner IS NULL), id DESC) AS rank
         FROM queue
         WHERE dedupe_key IN (SELECT dedupe_key FROM queue WHERE ${input.where} AND dedupe_key IS NOT NULL)
           AND (lease_owner IS NULL OR (${input.where}))
       ) AS ranked
       WHERE rank > 1)`,
    input.params,
  );
  const at = input.at === undefined ? undefined : input.params.length + 1;
  const availableAt = at === undefined ? "available_at" : `LEAST(available_at, $${at}::bigint)`;
  const { rows } = await tx.query(
    `UPDATE queue SET lease_owner = NULL, lease_token = NULL, available_at = ${availableAt},
       sort_at = ${availableAt} - priority_ms
     WHERE ${input.where} RETURNING id, lane, available_at`,
    at === undefined ? input.params : [...input.params, input.at],
  );
  const woken = await releaseSlots(
    tx,
    rows.map((row) => s(row.id)),
  );
  return { lanes: rows.map((row) => row.lane).filter(isLane), woken };
}

export class PostgresQueue implements QueueStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /**
   * One statement: pick due items with `FOR UPDATE SKIP LOCKED` (rows another claimer is taking
   * are skipped, not waited for, so claimers on many nodes never get the same item), lease them
   * with a fresh token, and mark the runs of `sdk` items Running. Items with concurrency limits
   * are picked but not leased there: a second transaction counts their keys' slots under the
   * keys' locks and leases or parks each.
   */
  async claim(input: {
    lanes: readonly QueueLane[];
    now: number;
    limit: number;
    owner: string;
    leaseMs: number;
  }): Promise<QueueItem[]> {
    if (input.lanes.length === 0 || input.limit <= 0) return [];
    const until = input.now + input.leaseMs;
    const { rows } = await this.db.query(
      `WITH picked AS (
         SELECT id, sort_at, concurrency IS NOT NULL AS gated FROM queue
         WHERE lane = ANY($1::text[]) AND lease_owner IS NULL AND available_at <= $2
         ORDER BY sort_at, id
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE queue SET available_at = $4, lease_owner = $5, lease_token = gen_random_uuid()::text
         FROM picked WHERE queue.id = picked.id AND NOT picked.gated
         RETURNING queue.*
       ), started AS (
         UPDATE runs SET status = 'Running', started_at = COALESCE(started_at, $2)
         WHERE status = 'Queued' AND id IN (SELECT run_id FROM leased WHERE lane = 'sdk')
       )
       SELECT leased.*, FALSE AS gated FROM leased
       UNION ALL SELECT queue.*, TRUE FROM queue JOIN picked USING (id) WHERE picked.gated
       ORDER BY sort_at, id`,
      [input.lanes, input.now, input.limit, until, input.owner],
    );
    const gated = rows.filter((row) => row.gated === true).map((row) => s(row.id));
    const claimed =
      gated.length > 0 ? await this.claimGated(gated, input) : new Map<string, QueueItem>();
    return rows.flatMap((row) => {
      if (row.gated !== true) return [queueItemFromRow(row)];
      const item = claimed.get(s(row.id));
      return item ? [item] : [];
    });
  }

  /** Leases or parks items with concurrency limits, in claim order. */
  private claimGated(
    ids: readonly string[],
    input: { lanes: readonly QueueLane[]; now: number; owner: string; leaseMs: number },
  ): Promise<Map<string, QueueItem>> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `SELECT * FROM queue
         WHERE id = ANY($1::text[]) AND lane = ANY($2::text[]) AND lease_owner IS NULL AND available_at <= $3
         ORDER BY sort_at, id
         FOR UPDATE SKIP LOCKED`,
        [ids, input.lanes, input.now],
      );
      const items = rows.map(queueItemFromRow);
      await lockKeys(
        tx,
        items.flatMap((item) => (item.concurrency ?? []).map((key) => key.key)),
      );
      const claimed = new Map<string, QueueItem>();
      for (const item of items) {
        const full = item.concurrency ? await fullKey(tx, item.concurrency) : undefined;
        if (full) {
          await tx.query("UPDATE queue SET lane = $2, parked_on = $3 WHERE id = $1", [
            item.id,
            PARKED,
            full.key,
          ]);
          continue;
        }
        const leased = await this.leaseOne(tx, item.id, input);
        await takeSlots(tx, item.id, item.concurrency);
        if (leased) claimed.set(item.id, leased);
      }
      return claimed;
    });
  }

  private async leaseOne(
    tx: Sql,
    id: string,
    input: { now: number; owner: string; leaseMs: number },
  ): Promise<QueueItem | undefined> {
    const { rows } = await tx.query(
      `WITH leased AS (
         UPDATE queue SET available_at = $2, lease_owner = $3, lease_token = gen_random_uuid()::text
         WHERE id = $1 RETURNING *
       ), started AS (
         UPDATE runs SET status = 'Running', started_at = COALESCE(started_at, $4)
         WHERE status = 'Queued' AND id IN (SELECT run_id FROM leased WHERE lane = 'sdk')
       )
       SELECT * FROM leased`,
      [id, input.now + input.leaseMs, input.owner, input.now],
    );
    const row: Row | undefined = rows[0];
    return row ? queueItemFromRow(row) : undefined;
  }

  async extend(input: {
    ids: readonly QueueItemId[];
    owner: string;
    until: number;
  }): Promise<QueueItemId[]> {
    if (input.ids.length === 0) return [];
    const { rows } = await this.db.query(
      "UPDATE queue SET available_at = $1 WHERE id = ANY($2::text[]) AND lease_owner = $3 RETURNING id",
      [input.until, input.ids, input.owner],
    );
    const held = new Set(rows.map((row) => s(row.id)));
    return input.ids.filter((id) => !held.has(id));
  }

  async release(input: { ids: readonly QueueItemId[]; owner: string; at: number }): Promise<void> {
    if (input.ids.length === 0) return;
    const now = this.now();
    await this.db.transaction(async (tx) => {
      const { lanes, woken } = await unlease(tx, {
        where: "id = ANY($1::text[]) AND lease_owner = $2",
        params: [input.ids, input.owner],
        at: input.at,
      });
      await notifyLanes(tx, [...(input.at <= now ? lanes : []), ...woken]);
    });
  }

  async nextDueAt(lanes: readonly QueueLane[]): Promise<number | undefined> {
    const { rows } = await this.db.query(
      "SELECT MIN(available_at) AS at FROM queue WHERE lane = ANY($1::text[]) AND lease_owner IS NULL",
      [lanes],
    );
    const at = rows[0]?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  reapExpired(now: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { lanes, woken } = await unlease(tx, {
        where: "lease_owner IS NOT NULL AND available_at <= $1",
        params: [now],
      });
      await notifyLanes(tx, [...lanes, ...woken]);
      return lanes.length;
    });
  }

  /**
   * Several nodes share the database, and the others are alive: their leases are left alone
   * until they expire. So recovering is reaping what already expired (a crashed node's items);
   * our own previous leases, if the owner id is reused, expire the same way.
   */
  recover(_owner: string, now: number): Promise<number> {
    return this.reapExpired(now);
  }

  async get(id: QueueItemId): Promise<QueueItem | undefined> {
    const { rows } = await this.db.query("SELECT * FROM queue WHERE id = $1", [id]);
    return rows[0] ? queueItemFromRow(rows[0]) : undefined;
  }

  /** Parked items count under `parked`, as in SQLite. */
  async countByLane(): Promise<Record<string, number>> {
    const { rows } = await this.db.query("SELECT lane, COUNT(*) AS n FROM queue GROUP BY lane");
    return Object.fromEntries(rows.map((row) => [s(row.lane), Number(row.n)]));
  }
}
