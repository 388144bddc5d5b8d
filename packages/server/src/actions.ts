import {
  EventId,
  FunctionId,
  InternalEvent,
  isTerminal,
  QueueItemId,
  type RunId,
  RunId as toRunId,
  type RunStatus,
  type StoredEvent,
} from "@ingot/protocol";
import { type FunctionRecord, QueueLane, type RunFilter, type Store } from "@ingot/store";
import type { Clock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import { newId } from "./ids.js";
import { QueueKind } from "./queue-items.js";
import { newRunChanges } from "./run-factory.js";
import type { Dispatcher, Runner } from "./runner.js";

export interface RunSelection {
  functionId?: string;
  statuses?: RunStatus[];
  from?: number;
  until?: number;
}

/** Most runs one bulk action touches, so a request cannot run for minutes. */
export const MAX_BULK = 10_000;

/**
 * Operator actions: rerun a run, invoke a function directly, cancel or replay many runs.
 * Each new run is created like a triggered one (run, first request, cancelOn listeners).
 */
export class RunActions {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      config: ServerConfig;
      runner: Runner;
      dispatcher: Dispatcher;
    },
  ) {}

  /** A new run of the same function with the same events. */
  async rerun(runId: RunId): Promise<RunId | undefined> {
    const { store, runner } = this.deps;
    const run = await store.runs.get(runId);
    if (!run) return undefined;
    const fn = await runner.lookupFunction(run.functionId);
    if (!fn) throw new Error(`function ${run.functionId} is no longer registered`);
    const events = await store.events.getMany(run.eventIds);
    return this.start(fn, events, { type: "function.rerun", data: { rerunOf: runId } });
  }

  /** Starts a function with `data`, ignoring its triggers (as `step.invoke` does). */
  async invoke(functionId: string, data: Record<string, unknown>): Promise<RunId | undefined> {
    const fn = await this.deps.runner.lookupFunction(functionId);
    if (!fn || fn.archivedAt !== null) return undefined;
    const now = this.deps.clock.now();
    const event: StoredEvent = {
      id: EventId(newId(now)),
      name: InternalEvent.FunctionInvoked,
      data: { ...data, _inngest: { fn_id: fn.id, source: "api" } },
      ts: now,
      receivedAt: now,
    };
    return this.start(fn, [event], { type: "function.invoked", data: { by: "api" } }, [event]);
  }

  /**
   * `POST /v1/signals` (spec §2.5): resumes the run waiting on the signal with
   * `{signal, data}`. Returns its run id, or undefined when nobody waits.
   */
  async signal(signal: string, data: unknown): Promise<RunId | undefined> {
    const { store, clock, dispatcher } = this.deps;
    const waits = await store.waits.byKey("signal", signal);
    for (const wait of waits) {
      if (wait.stepId === null) continue;
      const now = clock.now();
      const result = await store.commit({
        consumeWaits: [
          {
            waitId: wait.id,
            then: [
              {
                id: QueueItemId(newId(now)),
                lane: QueueLane.System,
                kind: QueueKind.Resume,
                runId: wait.runId,
                payload: { stepId: wait.stepId, result: { data: { signal, data: data ?? null } } },
                availableAt: now,
              },
            ],
          },
        ],
      });
      // The wait may have timed out or been taken a moment ago; try the next one.
      if (result.ok && result.enqueued.length > 0) {
        dispatcher.accept(result.enqueued, result.woken);
        return wait.runId;
      }
    }
    return undefined;
  }

  async cancelMany(selection: RunSelection): Promise<number> {
    const statuses = selection.statuses ?? ["Queued", "Running"];
    let count = 0;
    for (const run of await this.select({ ...selection, statuses })) {
      if (isTerminal(run.status)) continue;
      if ((await this.deps.runner.cancel(run.id, "cancelled in bulk through the API")) === "ok")
        count++;
    }
    return count;
  }

  async replayMany(selection: RunSelection): Promise<RunId[]> {
    const statuses = selection.statuses ?? ["Failed"];
    const started: RunId[] = [];
    for (const run of await this.select({ ...selection, statuses })) {
      const id = await this.rerun(run.id);
      if (id) started.push(id);
    }
    return started;
  }

  private async select(selection: RunSelection) {
    const { store } = this.deps;
    const runs = [];
    let beforeId: RunId | undefined;
    for (;;) {
      const filter: RunFilter = { limit: 500 };
      if (selection.functionId) filter.functionIds = [FunctionId(selection.functionId)];
      if (selection.statuses) filter.statuses = selection.statuses;
      if (selection.from !== undefined) filter.from = selection.from;
      if (selection.until !== undefined) filter.until = selection.until;
      if (beforeId) filter.beforeId = beforeId;
      const page = await store.runs.list(filter);
      runs.push(...page);
      const last = page.at(-1);
      if (page.length < 500 || !last || runs.length >= MAX_BULK) break;
      beforeId = last.id;
    }
    return runs.slice(0, MAX_BULK);
  }

  private async start(
    fn: FunctionRecord,
    events: StoredEvent[],
    note: { type: string; data: unknown },
    newEvents: StoredEvent[] = [],
  ): Promise<RunId> {
    const { store, clock, config, dispatcher } = this.deps;
    const now = clock.now();
    const runId = toRunId(newId(now));
    const changes = newRunChanges({
      runId,
      fn,
      events,
      now,
      canClaim: (lane) => dispatcher.canClaim(lane),
      owner: dispatcher.owner,
      leaseMs: config.leaseMs,
    });
    const result = await store.commit({
      ...changes,
      events: newEvents,
      history: [...(changes.history ?? []), { runId, at: now, type: note.type, data: note.data }],
    });
    if (!result.ok) throw new Error(`could not start a run of ${fn.id}: ${result.reason}`);
    dispatcher.accept(result.enqueued, result.woken);
    return runId;
  }
}
