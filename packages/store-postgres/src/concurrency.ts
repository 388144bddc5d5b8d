import { type ConcurrencyKey, QueueLane } from "@ingot/store";
import type { Sql } from "./database.js";
import { LockClass, lockAll } from "./locks.js";
import { s } from "./rows.js";

/** Items waiting for a concurrency slot live in this lane, which is never claimed. */
export const PARKED = "parked";

/**
 * Concurrency bookkeeping, as in SQLite: an item with limits holds one slot per key while
 * leased; an item that finds a key full is parked on it; each freed slot unparks the oldest item
 * parked on its key. On Postgres several nodes do this at once, so each step runs under the
 * key's exclusive advisory lock (`LockClass.ConcurrencyKey`), taken before the count or the
 * unpark statement: a claimer cannot park on a key between a release's delete and its unpark.
 */
export async function lockKeys(tx: Sql, keys: readonly string[]): Promise<void> {
  await lockAll(
    tx,
    keys.map((key) => ({ lockClass: LockClass.ConcurrencyKey, key, exclusive: true })),
  );
}

/** The first key whose slots are all taken, if any. The caller holds the keys' locks. */
export async function fullKey(
  tx: Sql,
  keys: readonly ConcurrencyKey[],
): Promise<ConcurrencyKey | undefined> {
  if (keys.length === 0) return undefined;
  const { rows } = await tx.query(
    `SELECT wanted.ord FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS wanted (ckey, slots, ord)
     WHERE (SELECT COUNT(*) FROM concurrency_slots WHERE concurrency_slots.ckey = wanted.ckey) >= wanted.slots
     ORDER BY wanted.ord LIMIT 1`,
    [keys.map((key) => key.key), keys.map((key) => key.limit)],
  );
  const ord = rows[0]?.ord;
  return ord === undefined ? undefined : keys[Number(ord) - 1];
}

export async function takeSlots(
  tx: Sql,
  itemId: string,
  keys: readonly ConcurrencyKey[] | null,
): Promise<void> {
  if (!keys || keys.length === 0) return;
  await tx.query(
    `INSERT INTO concurrency_slots (ckey, item_id)
     SELECT ckey, $2 FROM unnest($1::text[]) AS ckey ON CONFLICT DO NOTHING`,
    [keys.map((key) => key.key), itemId],
  );
}

/**
 * Frees the slots of these items (finished, cleared or given back); each freed slot lets the
 * oldest item parked on its key back into the `sdk` lane. Returns the lanes woken.
 */
export async function releaseSlots(tx: Sql, itemIds: readonly string[]): Promise<QueueLane[]> {
  if (itemIds.length === 0) return [];
  const { rows } = await tx.query(
    "DELETE FROM concurrency_slots WHERE item_id = ANY($1::text[]) RETURNING ckey",
    [itemIds],
  );
  if (rows.length === 0) return [];
  const freed = rows.map((row) => s(row.ckey));
  await lockKeys(tx, freed);
  const { rowCount } = await tx.query(
    `UPDATE queue SET lane = $2, parked_on = NULL WHERE id IN (
       SELECT parked.id FROM (
         SELECT id, parked_on, row_number() OVER (PARTITION BY parked_on ORDER BY sort_at, id) AS rank
         FROM queue WHERE parked_on = ANY($1::text[])
       ) AS parked
       JOIN (SELECT ckey, COUNT(*) AS slots FROM unnest($1::text[]) AS ckey GROUP BY ckey) AS freed
         ON freed.ckey = parked.parked_on
       WHERE parked.rank <= freed.slots)`,
    [freed, QueueLane.Sdk],
  );
  return rowCount > 0 ? [QueueLane.Sdk] : [];
}

/** The concurrency keys of a row's JSON column (written by this store from `ConcurrencyKey[]`). */
export function keysOf(value: unknown): ConcurrencyKey[] | null {
  if (typeof value !== "string") return null;
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) return null;
  return parsed.flatMap((entry: unknown) =>
    typeof entry === "object" &&
    entry !== null &&
    "key" in entry &&
    "limit" in entry &&
    typeof entry.key === "string" &&
    typeof entry.limit === "number"
      ? [{ key: entry.key, limit: entry.limit }]
      : [],
  );
}
