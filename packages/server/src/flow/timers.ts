import { batchDue, debounceDue } from "@ingot/engine";
import { EventId, InternalEvent, isTerminal, type RunId, type StoredEvent } from "@ingot/protocol";
import type { Changeset, FunctionRecord, NewQueueItem, QueueItem, Store } from "@ingot/store";
import type { Clock } from "../clock.js";
import { newId } from "../ids.js";
import type { Logger } from "../logger.js";
import { QueueKind } from "../queue-items.js";
import type { FunctionRegistry } from "../registry.js";
import { type Dispatcher, leaseOf, type Runner } from "../runner.js";
import { FlowCache } from "./cache.js";
import {
  type Admission,
  batchState,
  debounceState,
  durationOf,
  type FlowControl,
  FlowKind,
  systemItem,
} from "./control.js";
import { nextTick } from "./cron.js";

const MAX_CONFLICT_RETRIES = 8;

/**
 * Flow-control timers: debounce and batch windows closing, cron ticks, start and finish
 * timeouts. Each runs as a `system` queue item, so it survives restarts and fires once.
 */
export class FlowTimers {
  constructor(
    private readonly deps: {
      store: Store;
      registry: FunctionRegistry;
      clock: Clock;
      logger: Logger;
      dispatcher: Dispatcher;
      runner: Runner;
      control: FlowControl;
    },
  ) {}

  debounce(item: QueueItem, fnId: string, key: string): Promise<void> {
    return this.window(item, fnId, async (fn, cache) => {
      const state = debounceState(await cache.get(fnId, FlowKind.Debounce, key));
      // Pushed further by a later event: the timer that belongs to it will fire.
      if (!debounceDue(state, cache.now) || !state) return undefined;
      const events = await this.deps.store.events.getMany([EventId(state.eventId)]);
      await cache.set(fnId, FlowKind.Debounce, key, undefined, 0);
      return this.deps.control.start(fn, events, cache, {
        history: { type: "function.debounced", data: { key } },
      });
    });
  }

  batch(item: QueueItem, fnId: string, key: string): Promise<void> {
    return this.window(item, fnId, async (fn, cache) => {
      const state = batchState(await cache.get(fnId, FlowKind.Batch, key));
      const timeoutMs = fn.config.batchEvents ? durationOf(fn.config.batchEvents.timeout) : 0;
      if (!batchDue(state, cache.now, timeoutMs) || !state) return undefined;
      const events = await this.deps.store.events.getMany(state.eventIds.map(EventId));
      await cache.set(fnId, FlowKind.Batch, key, undefined, 0);
      return this.deps.control.start(fn, events, cache, {
        history: { type: "function.batched", data: { size: events.length } },
      });
    });
  }

  /** A cron tick: one run, then the next tick, atomically — exactly one run per tick. */
  cron(item: QueueItem, fnId: string, spec: string, at: number): Promise<void> {
    return this.window(item, fnId, async (fn, cache, extra) => {
      if (!fn.config.triggers.some((trigger) => "cron" in trigger && trigger.cron === spec))
        return undefined;
      const next = nextTick(spec, Math.max(at, cache.now));
      if (next !== undefined) extra.push(cronItem(cache.now, fnId, spec, next));
      const tick = `${spec}@${at}`;
      if ((await cache.get(fnId, FlowKind.CronTick, tick)) !== undefined) return undefined;
      await cache.set(fnId, FlowKind.CronTick, tick, true, at + 7 * 86_400_000);
      const event: StoredEvent = {
        id: EventId(newId(cache.now)),
        name: InternalEvent.ScheduledTimer,
        data: {
          cron: spec,
          scheduledAt: new Date(at).toISOString(),
          fireAt: new Date(cache.now).toISOString(),
        },
        ts: cache.now,
        receivedAt: cache.now,
      };
      const admission = await this.deps.control.start(fn, [event], cache);
      return { admission, events: [event] };
    });
  }

  /** `timeouts.start` / `timeouts.finish` (spec §7.1): a run that overstays is cancelled. */
  async timeout(item: QueueItem, phase: "start" | "finish"): Promise<void> {
    const { store, runner, clock } = this.deps;
    const run = item.runId === null ? undefined : await store.runs.get(item.runId);
    const fn = run ? await runner.lookupFunction(run.functionId) : undefined;
    if (!run || !fn || isTerminal(run.status)) return runner.completeOnly(item);
    const timeouts = fn.config.timeouts ?? {};
    const now = clock.now();
    const finishMs = timeouts.finish === undefined ? undefined : durationOf(timeouts.finish);
    if (phase === "start" && run.startedAt === null) {
      await runner.cancel(run.id, `did not start within timeouts.start (${timeouts.start})`, item);
      return;
    }
    if (finishMs === undefined) return runner.completeOnly(item);
    if (phase === "finish" && run.startedAt !== null && run.startedAt + finishMs <= now) {
      await runner.cancel(
        run.id,
        `did not finish within timeouts.finish (${timeouts.finish})`,
        item,
      );
      return;
    }
    // Not started yet, or started later than this check: look again when the finish is due.
    const due = run.startedAt === null ? now + finishMs : run.startedAt + finishMs;
    const result = await store.commit({
      complete: leaseOf(item),
      enqueue: [systemItem(now, QueueKind.Timeout, run.id, { phase: "finish" }, due)],
    });
    if (result.ok) this.deps.dispatcher.accept(result.enqueued, result.woken);
  }

  /**
   * Reads flow state, lets `decide` plan a run (or nothing), and commits the plan together with
   * the completion of the timer item; a concurrent change to the state retries from scratch.
   */
  private async window(
    item: QueueItem,
    fnId: string,
    decide: (
      fn: FunctionRecord,
      cache: FlowCache,
      extra: NewQueueItem[],
    ) => Promise<Admission | { admission: Admission; events: StoredEvent[] } | undefined>,
  ): Promise<void> {
    const { store, clock, runner, dispatcher, logger } = this.deps;
    const fn = await runner.lookupFunction(fnId);
    if (!fn || fn.archivedAt !== null) return runner.completeOnly(item);
    for (let round = 0; round < MAX_CONFLICT_RETRIES; round++) {
      const cache = new FlowCache(store, clock.now());
      const extra: NewQueueItem[] = [];
      const decided = await decide(fn, cache, extra);
      const admission = decided && "admission" in decided ? decided.admission : decided;
      const changes: Changeset = {
        complete: leaseOf(item),
        flow: cache.writes(),
        enqueue: [...extra],
      };
      if (decided && "events" in decided) changes.events = decided.events;
      if (admission?.kind === "started") {
        const plan = admission.plan.changes;
        changes.newRuns = plan.newRuns ?? [];
        changes.waits = plan.waits ?? [];
        changes.history = plan.history ?? [];
        changes.enqueue = [
          ...(changes.enqueue ?? []),
          ...(plan.enqueue ?? []),
          ...admission.plan.cancel,
        ];
      } else if (admission?.kind === "dropped") {
        logger.info({ fnId, reason: admission.reason }, "run not started");
      }
      const result = await store.commit(changes);
      if (result.ok) {
        dispatcher.accept(result.enqueued, result.woken);
        return;
      }
      if (result.reason === "stale") return;
    }
    throw new Error(`flow timer for ${fnId}: gave up after ${MAX_CONFLICT_RETRIES} conflicts`);
  }
}

export function cronItem(now: number, fnId: string, spec: string, at: number): NewQueueItem {
  const item = systemItem(now, QueueKind.Cron, null, { fnId, cron: spec, at }, at);
  item.dedupeKey = `cron:${fnId}:${spec}`;
  return item;
}

/** Makes sure every cron trigger of the active functions has its next tick queued. */
export async function scheduleCrons(
  store: Store,
  functions: readonly FunctionRecord[],
  now: number,
): Promise<number> {
  const enqueue: NewQueueItem[] = [];
  for (const fn of functions) {
    if (fn.archivedAt !== null) continue;
    for (const trigger of fn.config.triggers) {
      if (!("cron" in trigger)) continue;
      const at = nextTick(trigger.cron, now);
      if (at !== undefined) enqueue.push(cronItem(now, fn.id, trigger.cron, at));
    }
  }
  if (enqueue.length === 0) return 0;
  const result = await store.commit({ enqueue });
  return result.ok ? result.enqueued.length : 0;
}

export type { RunId };
