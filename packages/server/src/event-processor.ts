import { matches, readPath } from "@ingot/engine";
import { InternalEvent, QueueItemId, type StoredEvent, toSdkEvent } from "@ingot/protocol";
import {
  type Changeset,
  type NewQueueItem,
  type QueueItem,
  QueueLane,
  type Store,
  type WaitKind,
  type WaitRecord,
} from "@ingot/store";
import type { Clock } from "./clock.js";
import { FlowCache } from "./flow/cache.js";
import type { FlowControl } from "./flow/control.js";
import { newId } from "./ids.js";
import type { Logger } from "./logger.js";
import { QueueKind } from "./queue-items.js";
import type { FunctionRegistry } from "./registry.js";
import type { RunTracer } from "./trace.js";
import { type Dispatcher, leaseOf } from "./runner.js";

type Collected = Required<
  Pick<Changeset, "newRuns" | "enqueue" | "waits" | "history" | "consumeWaits" | "flow" | "routed">
>;

const MAX_CONFLICT_RETRIES = 8;

/**
 * Turns accepted events into work, in one transaction per batch: runs for matching triggers
 * (through flow control), resumed `waitForEvent`s, `cancelOn` cancellations, and invoke results
 * for parents. Flow-control state changed concurrently makes the commit a conflict; the batch is
 * then routed again from fresh state.
 */
export class EventProcessor {
  constructor(
    private readonly deps: {
      store: Store;
      registry: FunctionRegistry;
      clock: Clock;
      logger: Logger;
      dispatcher: Dispatcher;
      control: FlowControl;
      /**
       * On a shared store: makes the function registry reflect every sync committed so far (on
       * any node) before a batch is routed, so an event is never matched against a stale list.
       */
      refreshRegistry?: () => Promise<void>;
      tracer?: RunTracer;
    },
  ) {}

  async process(item: QueueItem, eventIds: readonly string[]): Promise<void> {
    const { store, dispatcher, clock, logger } = this.deps;
    const events = await store.events.getMany(eventIds as StoredEvent["id"][]);
    // The events were accepted before this item was claimed: any sync committed before that is
    // visible now, and routing must see it.
    await this.deps.refreshRegistry?.();
    for (let round = 0; round < MAX_CONFLICT_RETRIES; round++) {
      const cache = new FlowCache(store, clock.now());
      const collected: Collected = {
        newRuns: [],
        enqueue: [],
        waits: [],
        history: [],
        consumeWaits: [],
        flow: [],
        routed: [],
      };
      for (const event of events) await this.route(event, cache, collected);
      collected.flow = cache.writes();
      // Not fsynced before dispatch: a crash that loses this commit also brings the routing
      // item back (its delete is in it), so the batch is routed again; what the new run's
      // app acknowledges later is fsynced, covering this commit too (Changeset.durable).
      const result = await store.commit({ complete: leaseOf(item), durable: false, ...collected });
      if (result.ok) {
        for (const run of collected.newRuns) this.deps.tracer?.mark(run.id, "run.created");
        dispatcher.accept(result.enqueued, result.woken);
        return;
      }
      if (result.reason === "stale") {
        logger.warn({ item: item.id }, "event batch was not applied: its lease was lost");
        return;
      }
    }
    throw new Error(`event batch ${item.id}: gave up after ${MAX_CONFLICT_RETRIES} conflicts`);
  }

  private async route(event: StoredEvent, cache: FlowCache, out: Collected): Promise<void> {
    const { registry, logger } = this.deps;
    const now = cache.now;
    const matched = registry.match(event);
    out.routed.push({ eventId: event.id, at: now, functions: matched.length });
    if (matched.length === 0) {
      logger.debug({ event: event.id, name: event.name }, "event matched no function");
    }
    for (const fn of matched) {
      const admission = await this.deps.control.admit(fn, event, cache);
      if (admission.kind === "started") {
        const plan = admission.plan;
        out.newRuns.push(...(plan.changes.newRuns ?? []));
        out.enqueue.push(...(plan.changes.enqueue ?? []), ...plan.cancel);
        out.waits.push(...(plan.changes.waits ?? []));
        out.history.push(...(plan.changes.history ?? []));
      } else if (admission.kind === "deferred") {
        out.enqueue.push(...admission.timers);
      } else {
        logger.debug(
          { fn: fn.id, event: event.id, reason: admission.reason },
          "event did not start a run",
        );
      }
    }
    const sdkEvent = toSdkEvent(event);
    for (const wait of await this.matchingWaits("event", event, sdkEvent)) {
      if (wait.stepId === null) continue;
      out.consumeWaits.push({
        waitId: wait.id,
        then: [this.item(wait, QueueKind.Resume, { stepId: wait.stepId, result: sdkEvent }, now)],
      });
    }
    for (const wait of await this.matchingWaits("cancel", event, sdkEvent)) {
      const reason = `cancelled by event "${event.name}" (${event.id})`;
      out.consumeWaits.push({
        waitId: wait.id,
        then: [this.item(wait, QueueKind.Cancel, { reason }, now)],
      });
    }
    if (event.name === InternalEvent.FunctionFinished) await this.resumeInvoker(event, now, out);
  }

  /** A finished child run resumes the parent's `step.invoke` (spec §7.3). */
  private async resumeInvoker(event: StoredEvent, now: number, out: Collected): Promise<void> {
    const correlationId = event.data.correlation_id;
    if (typeof correlationId !== "string") return;
    for (const wait of await this.deps.store.waits.byKey("invoke", correlationId)) {
      if (wait.stepId === null) continue;
      const error = event.data.error;
      const payload =
        error === undefined
          ? { stepId: wait.stepId, result: { data: event.data.result ?? null } }
          : { stepId: wait.stepId, result: null, failed: error };
      out.consumeWaits.push({
        waitId: wait.id,
        then: [this.item(wait, QueueKind.Resume, payload, now)],
      });
    }
  }

  private async matchingWaits(
    kind: WaitKind,
    event: StoredEvent,
    sdkEvent: Record<string, unknown>,
  ): Promise<WaitRecord[]> {
    const { store } = this.deps;
    const paths = await store.waits.matchPaths(kind, event.name);
    if (paths.length === 0) return [];
    const probes: { path: string; value: string }[] = [];
    for (const path of paths) {
      if (path === null) continue;
      const value = readPath(sdkEvent, path);
      if (value !== undefined) probes.push({ path, value: JSON.stringify(value) });
    }
    const candidates = await store.waits.candidates({ kind, key: event.name, probes });
    return candidates.filter(
      (wait) => wait.condition === null || matches(wait.condition, { async: sdkEvent }),
    );
  }

  private item(wait: WaitRecord, kind: QueueKind, payload: unknown, now: number): NewQueueItem {
    return {
      id: QueueItemId(newId(now)),
      lane: QueueLane.System,
      kind,
      runId: wait.runId,
      payload,
      availableAt: now,
    };
  }
}
