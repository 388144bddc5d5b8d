import type {
  Changeset,
  QueueLane,
  NewHistory,
  NewRun,
  NewWait,
  QueueItem,
  RunPatch,
  StepWrite,
} from "@ingot/store";
import { insertAiCalls } from "./ai-calls.js";
import { releaseSlots } from "./concurrency.js";
import type { Sql } from "./database.js";
import { findRecent, insertEvents } from "./events.js";
import { writeFlow } from "./flow.js";
import { LockClass, type LockRequest, lockAll } from "./locks.js";
import { dueLanes, notifyControl, notifyLanes } from "./notify.js";
import { insertQueueItems } from "./queue.js";
import { json, s } from "./rows.js";

/** Thrown inside the transaction to roll all of it back. */
export class Abort extends Error {
  constructor(readonly reason: "stale" | "conflict") {
    super(reason);
  }
}

/**
 * Applies a changeset inside one transaction, in the order SQLite does. Throws `Abort` when a
 * guard fails (lease token, wait already gone, run version); the caller rolls back.
 */
export async function applyChangeset(
  tx: Sql,
  changes: Changeset,
  now: number,
): Promise<{ enqueued: QueueItem[]; woken: QueueLane[] }> {
  await lockAll(tx, locksOf(changes));
  const woken: QueueLane[] = [];
  if (changes.complete) {
    const { rowCount } = await tx.query("DELETE FROM queue WHERE id = $1 AND lease_token = $2", [
      changes.complete.id,
      changes.complete.lease,
    ]);
    if (rowCount === 0) throw new Abort("stale");
    woken.push(...(await releaseSlots(tx, [changes.complete.id])));
  }
  if (changes.holds) {
    // FOR SHARE: a reap or re-claim of the item waits until this commit is done.
    const { rowCount } = await tx.query(
      "SELECT 1 FROM queue WHERE id = $1 AND lease_token = $2 FOR SHARE",
      [changes.holds.id, changes.holds.lease],
    );
    if (rowCount === 0) throw new Abort("stale");
  }
  if (changes.claimWait !== undefined) {
    const { rowCount } = await tx.query("DELETE FROM waits WHERE id = $1", [changes.claimWait]);
    if (rowCount === 0) throw new Abort("stale");
  }
  if (changes.run) await patchRun(tx, changes.run);
  await insertRuns(tx, changes.newRuns ?? []);
  for (const step of changes.steps ?? []) await writeStep(tx, step, now);
  await dropPendingSteps(tx, changes.dropPendingSteps ?? []);
  woken.push(...(await clearRuns(tx, changes.clearRuns ?? [], now)));
  for (const write of changes.flow ?? []) {
    if (!(await writeFlow(tx, write))) throw new Abort("conflict");
  }
  await supersedeSignals(tx, changes.supersedeSignals ?? []);
  const enqueued: QueueItem[] = [];
  for (const wait of changes.waits ?? []) enqueued.push(...(await insertWait(tx, wait, now)));
  enqueued.push(...(await consumeWaits(tx, changes.consumeWaits ?? [], now)));
  await insertEvents(tx, changes.events ?? []);
  enqueued.push(...(await insertQueueItems(tx, changes.enqueue ?? [], now)));
  await insertHistory(tx, changes.history ?? []);
  await markRouted(tx, changes.routed ?? []);
  await insertAiCalls(tx, changes.aiCalls ?? []);
  await notifyLanes(tx, [...dueLanes(enqueued, now), ...woken]);
  return { enqueued, woken: [...new Set(woken)] };
}

/**
 * Exclusive per event name for waits with a look-back, shared per name of the internal events
 * written (like an accept), exclusive per run whose steps get a stack position.
 */
function locksOf(changes: Changeset): LockRequest[] {
  const locks: LockRequest[] = [];
  for (const wait of changes.waits ?? []) {
    if (wait.lookback)
      locks.push({ lockClass: LockClass.EventName, key: wait.key, exclusive: true });
  }
  for (const event of changes.events ?? []) {
    locks.push({ lockClass: LockClass.EventName, key: event.name, exclusive: false });
  }
  for (const step of changes.steps ?? []) {
    if (step.outputJson !== undefined) {
      locks.push({ lockClass: LockClass.StepSeq, key: step.runId, exclusive: true });
    }
  }
  return locks;
}

async function patchRun(
  tx: Sql,
  run: { id: string; version: number; patch: RunPatch },
): Promise<void> {
  const { patch } = run;
  const { rowCount } = await tx.query(
    `UPDATE runs SET version = version + 1,
       status = COALESCE($3::text, status),
       output = CASE WHEN $4::boolean THEN $5::text ELSE output END,
       error = CASE WHEN $6::boolean THEN $7::text ELSE error END,
       ended_at = COALESCE($8::bigint, ended_at),
       request_version = COALESCE($9::int, request_version),
       force_step_plan = COALESCE($10::boolean, force_step_plan)
     WHERE id = $1 AND version = $2`,
    [
      run.id,
      run.version,
      patch.status ?? null,
      patch.output !== undefined,
      patch.output === undefined ? null : json(patch.output),
      patch.error !== undefined,
      patch.error === undefined || patch.error === null ? null : json(patch.error),
      patch.endedAt ?? null,
      patch.requestVersion ?? null,
      patch.forceStepPlan ?? null,
    ],
  );
  // Another commit moved the version on (or the run does not exist).
  if (rowCount === 0) throw new Abort("conflict");
}

async function insertRuns(tx: Sql, runs: readonly NewRun[]): Promise<void> {
  if (runs.length === 0) return;
  const links = runs.flatMap((run) => run.eventIds.map((eventId) => [eventId, run.id] as const));
  await tx.query(
    `WITH inserted AS (
       INSERT INTO runs (id, function_id, app_id, status, event_ids, created_at, correlation_id,
                         priority_ms, concurrency)
       SELECT id, function_id, app_id, 'Queued', event_ids, created_at, correlation_id,
              priority_ms, concurrency
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                   $9::int[], $10::text[])
            AS run (id, function_id, app_id, event_ids, created_at, correlation_id, priority_ms, concurrency)
     )
     INSERT INTO run_events (event_id, run_id)
     SELECT * FROM unnest($7::text[], $8::text[]) ON CONFLICT DO NOTHING`,
    [
      runs.map((run) => run.id),
      runs.map((run) => run.functionId),
      runs.map((run) => run.appId),
      runs.map((run) => json(run.eventIds)),
      runs.map((run) => run.createdAt),
      runs.map((run) => run.correlationId ?? null),
      links.map(([eventId]) => eventId),
      links.map(([, runId]) => runId),
      runs.map((run) => run.priorityMs ?? 0),
      runs.map((run) =>
        run.concurrency && run.concurrency.length > 0 ? json(run.concurrency) : null,
      ),
    ],
  );
}

/**
 * Upserts a step. With an output it is memoized: appended to the stack at `MAX(seq) + 1`. The
 * run's `StepSeq` lock (taken by `applyChangeset` before this statement started, so its snapshot
 * sees every earlier commit) makes concurrent commits of one run append one after the other.
 * A memoized step is never changed again.
 */
async function writeStep(tx: Sql, step: StepWrite, now: number): Promise<void> {
  await tx.query(
    `INSERT INTO steps AS st (run_id, step_id, seq, status, op, display_name, userland_id, race, output,
                              attempts, created_at, ended_at, duration_ms)
     VALUES ($1, $2,
             CASE WHEN $8::text IS NULL THEN NULL
                  ELSE (SELECT COALESCE(MAX(seq), -1) + 1 FROM steps WHERE run_id = $1) END,
             $3, COALESCE($4::text, 'step'), $5, $6, $7, $8::text, $9, $10, $11, $12)
     ON CONFLICT (run_id, step_id) DO UPDATE SET
       seq = CASE WHEN excluded.output IS NULL THEN st.seq
                  ELSE (SELECT COALESCE(MAX(seq), -1) + 1 FROM steps WHERE run_id = excluded.run_id) END,
       status = excluded.status,
       op = COALESCE($4::text, st.op),
       display_name = COALESCE(excluded.display_name, st.display_name),
       userland_id = COALESCE(excluded.userland_id, st.userland_id),
       race = st.race OR excluded.race,
       output = COALESCE(excluded.output, st.output),
       attempts = st.attempts + excluded.attempts,
       ended_at = COALESCE(excluded.ended_at, st.ended_at),
       duration_ms = COALESCE(excluded.duration_ms, st.duration_ms)
     WHERE st.seq IS NULL`,
    [
      step.runId,
      step.stepId,
      step.status,
      step.op ?? null,
      step.displayName ?? null,
      step.userlandId ?? null,
      step.race === true,
      step.outputJson ?? null,
      step.attempts ?? 0,
      now,
      step.endedAt ?? null,
      step.durationMs ?? null,
    ],
  );
}

async function dropPendingSteps(
  tx: Sql,
  steps: readonly { runId: string; stepId: string }[],
): Promise<void> {
  if (steps.length === 0) return;
  await tx.query(
    `DELETE FROM steps USING unnest($1::text[], $2::text[]) AS dropped (run_id, step_id)
     WHERE steps.run_id = dropped.run_id AND steps.step_id = dropped.step_id AND steps.seq IS NULL`,
    [steps.map((step) => step.runId), steps.map((step) => step.stepId)],
  );
}

/** Deletes the runs' queue items (freeing their concurrency slots) and waits. */
/**
 * Runs ended: their queue items and waits go, their outstanding steps are marked cancelled, and
 * every node hears of it (`ingot_control`) so it stops work in progress on them.
 */
async function clearRuns(tx: Sql, runIds: readonly string[], now: number): Promise<QueueLane[]> {
  if (runIds.length === 0) return [];
  const { rows } = await tx.query(
    `WITH cleared_waits AS (DELETE FROM waits WHERE run_id = ANY($1::text[])),
     ended_steps AS (
       UPDATE steps SET status = 'cancelled', ended_at = $2
       WHERE run_id = ANY($1::text[]) AND status IN ('planned', 'sleeping', 'waiting', 'invoking', 'gateway')
     )
     DELETE FROM queue WHERE run_id = ANY($1::text[]) RETURNING id`,
    [runIds, now],
  );
  await notifyControl(tx, { kind: "runs.ended", runIds: [...runIds] });
  return releaseSlots(
    tx,
    rows.map((row) => s(row.id)),
  );
}

/** Earlier waits on these signals stop matching and stay until their timeout (SDK docs). */
async function supersedeSignals(tx: Sql, signals: readonly string[]): Promise<void> {
  if (signals.length === 0) return;
  await tx.query(
    `UPDATE waits SET key = key || '#superseded:' || id WHERE kind = 'signal' AND key = ANY($1::text[])`,
    [signals],
  );
}

/**
 * With a look-back, events named `key` received since `since` are offered first (this
 * transaction holds the name's exclusive lock, so none can commit meanwhile); on a match the
 * wait is not stored and its follow-ups are enqueued instead.
 */
async function insertWait(tx: Sql, wait: NewWait, now: number): Promise<QueueItem[]> {
  const { lookback } = wait;
  if (lookback) {
    const matched = await findRecent(tx, {
      name: wait.key,
      since: lookback.since,
      visit: (event) => lookback.matches(event),
    });
    if (matched) return insertQueueItems(tx, lookback.then(matched), now);
  }
  await tx.query(
    `INSERT INTO waits (id, run_id, step_id, kind, key, condition, match_path, match_value, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      wait.id,
      wait.runId,
      wait.stepId,
      wait.kind,
      wait.key,
      wait.condition,
      wait.matchPath,
      wait.matchValue,
      wait.expiresAt,
      wait.createdAt,
    ],
  );
  return [];
}

async function consumeWaits(
  tx: Sql,
  consumes: NonNullable<Changeset["consumeWaits"]>,
  now: number,
): Promise<QueueItem[]> {
  if (consumes.length === 0) return [];
  const { rows } = await tx.query("DELETE FROM waits WHERE id = ANY($1::text[]) RETURNING id", [
    consumes.map((consume) => consume.waitId),
  ]);
  const deleted = new Set(rows.map((row) => s(row.id)));
  // Only the first consume of a wait gets its follow-ups, as with one DELETE each.
  const follow = consumes.flatMap((consume) =>
    deleted.delete(consume.waitId) ? consume.then : [],
  );
  return insertQueueItems(tx, follow, now);
}

async function markRouted(tx: Sql, routed: NonNullable<Changeset["routed"]>): Promise<void> {
  if (routed.length === 0) return;
  await tx.query(
    `UPDATE events SET routed_at = r.at, functions_triggered = r.functions
     FROM unnest($1::text[], $2::bigint[], $3::int[]) AS r (id, at, functions)
     WHERE events.id = r.id`,
    [
      routed.map((entry) => entry.eventId),
      routed.map((entry) => entry.at),
      routed.map((entry) => entry.functions),
    ],
  );
}

async function insertHistory(tx: Sql, entries: readonly NewHistory[]): Promise<void> {
  if (entries.length === 0) return;
  // Ids follow the order written (ORDER BY ord): history is read back in id order.
  await tx.query(
    `INSERT INTO history (run_id, at, type, step_id, attempt, data)
     SELECT run_id, at, type, step_id, attempt, data
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[]) WITH ORDINALITY
          AS entry (run_id, at, type, step_id, attempt, data, ord)
     ORDER BY ord`,
    [
      entries.map((entry) => entry.runId),
      entries.map((entry) => entry.at),
      entries.map((entry) => entry.type),
      entries.map((entry) => entry.stepId ?? null),
      entries.map((entry) => entry.attempt ?? null),
      entries.map((entry) => (entry.data === undefined ? null : json(entry.data))),
    ],
  );
}
