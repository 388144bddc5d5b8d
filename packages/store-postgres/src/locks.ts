import type { Sql } from "./database.js";

/**
 * Transaction-scoped advisory locks, in the two-int key form `(class, hashtext(key))` (the
 * migration lock uses the one-bigint form, a separate key space). A hash collision only makes
 * two unrelated keys wait for each other.
 */
export const LockClass = {
  /** Per run: serializes stack positions (`MAX(seq) + 1`) of memoized steps. */
  StepSeq: 1,
  /**
   * Per event name: orders event inserts (shared) against waits created with a look-back
   * (exclusive), so an event is either seen by the look-back or committed after the wait.
   */
  EventName: 2,
  /**
   * Per concurrency key: counting a key's slots and then taking one or parking on it (claims),
   * and freeing one and then unparking (commits, releases), happen one transaction at a time.
   */
  ConcurrencyKey: 3,
} as const;
export type LockClass = (typeof LockClass)[keyof typeof LockClass];

export interface LockRequest {
  lockClass: LockClass;
  key: string;
  exclusive: boolean;
}

/**
 * Takes every lock in one statement, in (class, hash) order, so two transactions that want
 * overlapping sets cannot deadlock on them. A key asked for both shared and exclusive is taken
 * exclusive. Must be its own statement, before the reads it protects: under READ COMMITTED
 * those then take their snapshot after the lock is held.
 */
export async function lockAll(tx: Sql, requests: readonly LockRequest[]): Promise<void> {
  if (requests.length === 0) return;
  await tx.query(
    `SELECT CASE WHEN exclusive THEN pg_advisory_xact_lock(lock_class, hash)
                 ELSE pg_advisory_xact_lock_shared(lock_class, hash) END
     FROM (SELECT lock_class, hashtext(key) AS hash, bool_or(exclusive) AS exclusive
           FROM unnest($1::int[], $2::text[], $3::bool[]) AS wanted (lock_class, key, exclusive)
           GROUP BY 1, 2 ORDER BY 1, 2) AS locks`,
    [
      requests.map((request) => request.lockClass),
      requests.map((request) => request.key),
      requests.map((request) => request.exclusive),
    ],
  );
}
