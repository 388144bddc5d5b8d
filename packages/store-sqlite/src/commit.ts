import type { StoredEvent } from "@ingot/protocol";
import type {
  Changeset,
  FlowWrite,
  NewRun,
  NewWait,
  QueueItem,
  RunPatch,
  StepWrite,
} from "@ingot/store";
import type { SqliteAiCalls } from "./ai-calls.js";
import type { SqliteEvents } from "./events.js";
import type { QueueWriter } from "./queue.js";
import { json, type Row, type Statements } from "./rows.js";

/** Thrown inside the write to roll its savepoint back. */
class Abort extends Error {
  constructor(readonly reason: "stale" | "conflict") {
    super(reason);
  }
}

/** Applies a changeset inside the group-commit transaction (one savepoint). */
export class ChangesetWriter {
  constructor(
    private readonly sql: Statements,
    private readonly queue: QueueWriter,
    private readonly events: SqliteEvents,
    private readonly aiCalls: SqliteAiCalls,
  ) {}

  /** Runs synchronously inside a write; throws `Abort` to undo everything it did. */
  apply(changes: Changeset, now: number): QueueItem[] {
    if (changes.complete) {
      const deleted = this.sql
        .get("DELETE FROM queue WHERE id = ? AND lease_token = ?")
        .run(changes.complete.id, changes.complete.lease).changes;
      if (deleted === 0) throw new Abort("stale");
      this.queue.releaseSlots(changes.complete.id);
    }
    if (changes.holds) {
      const held = this.sql
        .get("SELECT 1 FROM queue WHERE id = ? AND lease_token = ?")
        .get(changes.holds.id, changes.holds.lease);
      if (held === undefined) throw new Abort("stale");
    }
    if (changes.claimWait !== undefined) {
      const deleted = this.sql.get("DELETE FROM waits WHERE id = ?").run(changes.claimWait).changes;
      if (deleted === 0) throw new Abort("stale");
    }
    if (changes.run) this.patchRun(changes.run.id, changes.run.version, changes.run.patch);
    for (const run of changes.newRuns ?? []) this.insertRun(run);
    for (const step of changes.steps ?? []) this.writeStep(step, now);
    for (const step of changes.dropPendingSteps ?? []) {
      this.sql
        .get("DELETE FROM steps WHERE run_id = ? AND step_id = ? AND seq IS NULL")
        .run(step.runId, step.stepId);
    }
    for (const runId of changes.clearRuns ?? []) {
      const items = this.sql.get("SELECT id FROM queue WHERE run_id = ?").all(runId) as Row[];
      for (const item of items) this.queue.remove(String(item.id));
      this.sql.get("DELETE FROM waits WHERE run_id = ?").run(runId);
      // Steps still outstanding ended with the run: no live timer in the dashboard.
      this.sql
        .get(
          `UPDATE steps SET status = 'cancelled', ended_at = ?
           WHERE run_id = ? AND status IN ('planned', 'sleeping', 'waiting', 'invoking', 'gateway')`,
        )
        .run(now, runId);
    }
    for (const write of changes.flow ?? []) this.writeFlow(write);
    for (const signal of changes.supersedeSignals ?? []) {
      // Earlier waits stop matching the signal and stay until their timeout (SDK docs).
      this.sql
        .get("UPDATE waits SET key = key || '#superseded:' || id WHERE kind = 'signal' AND key = ?")
        .run(signal);
    }
    const enqueued: QueueItem[] = [];
    for (const wait of changes.waits ?? []) enqueued.push(...this.insertWait(wait, now));
    for (const consume of changes.consumeWaits ?? []) {
      const deleted = this.sql.get("DELETE FROM waits WHERE id = ?").run(consume.waitId).changes;
      if (deleted > 0) enqueued.push(...this.queue.insertAll(consume.then, now));
    }
    for (const event of changes.events ?? []) this.events.insert(event);
    if (changes.routed && changes.routed.length > 0) {
      const routed = this.sql.get(
        "UPDATE events SET routed_at = ?, functions_triggered = ? WHERE id = ?",
      );
      for (const entry of changes.routed) routed.run(entry.at, entry.functions, entry.eventId);
    }
    enqueued.push(...this.queue.insertAll(changes.enqueue ?? [], now));
    const history = this.sql.get(
      "INSERT INTO history (run_id, at, type, step_id, attempt, data) VALUES (?, ?, ?, ?, ?, ?)",
    );
    for (const entry of changes.history ?? []) {
      history.run(
        entry.runId,
        entry.at,
        entry.type,
        entry.stepId ?? null,
        entry.attempt ?? null,
        entry.data === undefined ? null : json(entry.data),
      );
    }
    for (const call of changes.aiCalls ?? []) this.aiCalls.insert(call);
    return enqueued;
  }

  isAbort(error: unknown): error is Abort {
    return error instanceof Abort;
  }

  private patchRun(id: string, version: number, patch: RunPatch): void {
    const result = this.sql
      .get(
        `UPDATE runs SET version = version + 1,
           status = COALESCE(@status, status),
           output = CASE WHEN @hasOutput THEN @output ELSE output END,
           error = CASE WHEN @hasError THEN @error ELSE error END,
           ended_at = COALESCE(@endedAt, ended_at),
           request_version = COALESCE(@requestVersion, request_version),
           force_step_plan = COALESCE(@forceStepPlan, force_step_plan)
         WHERE id = @id AND version = @version`,
      )
      .run({
        id,
        version,
        status: patch.status ?? null,
        hasOutput: patch.output === undefined ? 0 : 1,
        output: patch.output === undefined ? null : json(patch.output),
        hasError: patch.error === undefined ? 0 : 1,
        error: patch.error === undefined || patch.error === null ? null : json(patch.error),
        endedAt: patch.endedAt ?? null,
        requestVersion: patch.requestVersion ?? null,
        forceStepPlan: patch.forceStepPlan === undefined ? null : patch.forceStepPlan ? 1 : 0,
      });
    if (result.changes === 0) throw new Abort("conflict");
  }

  private insertRun(run: NewRun): void {
    this.sql
      .get(
        `INSERT INTO runs (id, function_id, app_id, status, event_ids, created_at, correlation_id, priority_ms, concurrency)
         VALUES (?, ?, ?, 'Queued', ?, ?, ?, ?, ?)`,
      )
      .run(
        run.id,
        run.functionId,
        run.appId,
        json(run.eventIds),
        run.createdAt,
        run.correlationId ?? null,
        run.priorityMs ?? 0,
        run.concurrency && run.concurrency.length > 0 ? json(run.concurrency) : null,
      );
    const link = this.sql.get("INSERT OR IGNORE INTO run_events (event_id, run_id) VALUES (?, ?)");
    for (const eventId of run.eventIds) link.run(eventId, run.id);
  }

  private writeStep(step: StepWrite, now: number): void {
    this.sql
      .get(
        `INSERT INTO steps (run_id, step_id, seq, status, op, display_name, userland_id, race, output,
                            attempts, created_at, ended_at, duration_ms)
         VALUES (@runId, @stepId,
                 CASE WHEN @output IS NULL THEN NULL
                      ELSE (SELECT COALESCE(MAX(seq), -1) + 1 FROM steps WHERE run_id = @runId) END,
                 @status, COALESCE(@op, 'step'), @displayName, @userlandId, @race, @output,
                 @attempts, @now, @endedAt, @durationMs)
         ON CONFLICT (run_id, step_id) DO UPDATE SET
           seq = CASE WHEN excluded.output IS NULL THEN steps.seq
                      ELSE (SELECT COALESCE(MAX(seq), -1) + 1 FROM steps WHERE run_id = excluded.run_id) END,
           status = excluded.status,
           op = COALESCE(@op, steps.op),
           display_name = COALESCE(excluded.display_name, steps.display_name),
           userland_id = COALESCE(excluded.userland_id, steps.userland_id),
           race = MAX(steps.race, excluded.race),
           output = COALESCE(excluded.output, steps.output),
           attempts = steps.attempts + excluded.attempts,
           ended_at = COALESCE(excluded.ended_at, steps.ended_at),
           duration_ms = COALESCE(excluded.duration_ms, steps.duration_ms)
         WHERE steps.seq IS NULL`,
      )
      .run({
        runId: step.runId,
        stepId: step.stepId,
        status: step.status,
        op: step.op ?? null,
        displayName: step.displayName ?? null,
        userlandId: step.userlandId ?? null,
        race: step.race ? 1 : 0,
        output: step.outputJson ?? null,
        attempts: step.attempts ?? 0,
        now,
        endedAt: step.endedAt ?? null,
        durationMs: step.durationMs ?? null,
      });
  }

  /** Version-guarded flow state write; a mismatch aborts the whole changeset. */
  private writeFlow(write: FlowWrite): void {
    const now = write.at;
    const current = this.sql
      .get("SELECT version, expires_at FROM flow_state WHERE fn_id = ? AND kind = ? AND key = ?")
      .get(write.fnId, write.kind, write.key) as Row | undefined;
    const live = current !== undefined && Number(current.expires_at) > now;
    const version = live ? Number(current.version) : null;
    if (version !== write.expect) throw new Abort("conflict");
    if (write.value === undefined) {
      this.sql
        .get("DELETE FROM flow_state WHERE fn_id = ? AND kind = ? AND key = ?")
        .run(write.fnId, write.kind, write.key);
      return;
    }
    this.sql
      .get(
        `INSERT INTO flow_state (fn_id, kind, key, value, version, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (fn_id, kind, key) DO UPDATE SET value = excluded.value, version = excluded.version,
           expires_at = excluded.expires_at`,
      )
      .run(
        write.fnId,
        write.kind,
        write.key,
        json(write.value),
        (version ?? Number(current?.version ?? 0)) + 1,
        write.expiresAt ?? Number.MAX_SAFE_INTEGER,
      );
  }

  private insertWait(wait: NewWait, now: number): QueueItem[] {
    if (wait.lookback) {
      let matched: StoredEvent | undefined;
      // Leave the loop (closing the cursor) before writing: the connection cannot do both.
      for (const event of this.events.recent(wait.key, wait.lookback.since)) {
        if (wait.lookback.matches(event)) {
          matched = event;
          break;
        }
      }
      if (matched) return this.queue.insertAll(wait.lookback.then(matched), now);
    }
    this.sql
      .get(
        `INSERT INTO waits (id, run_id, step_id, kind, key, condition, match_path, match_value, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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
      );
    return [];
  }
}
