import { matches, readPath } from "@ingot/engine";
import { InternalEvent, QueueItemId, RunId, type StoredEvent, toSdkEvent } from "@ingot/protocol";
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
import type { ServerConfig } from "./config.js";
import { newId } from "./ids.js";
import type { Logger } from "./logger.js";
import { QueueKind } from "./queue-items.js";
import type { FunctionRegistry } from "./registry.js";
import { newRunChanges } from "./run-factory.js";
import { type Dispatcher, leaseOf } from "./runner.js";

type Collected = Required<
  Pick<Changeset, "newRuns" | "enqueue" | "waits" | "history" | "consumeWaits">
>;

/**
 * Turns accepted events into work, in one transaction per batch: new runs for matching
 * triggers, resumed `waitForEvent`s, `cancelOn` cancellations, and invoke results for parents.
 */
export class EventProcessor {
  constructor(
    private readonly deps: {
      store: Store;
      registry: FunctionRegistry;
      clock: Clock;
      config: ServerConfig;
      logger: Logger;
      dispatcher: Dispatcher;
    },
  ) {}

  async process(item: QueueItem, eventIds: readonly string[]): Promise<void> {
    const { store, dispatcher } = this.deps;
    const events = await store.events.getMany(eventIds as StoredEvent["id"][]);
    const collected: Collected = {
      newRuns: [],
      enqueue: [],
      waits: [],
      history: [],
      consumeWaits: [],
    };
    for (const event of events) await this.route(event, collected);
    const result = await store.commit({
      complete: leaseOf(item),
      ...collected,
    });
    if (result.ok) dispatcher.accept(result.enqueued);
    else
      this.deps.logger.warn(
        { item: item.id, reason: result.reason },
        "event batch was not applied",
      );
  }

  private async route(event: StoredEvent, out: Collected): Promise<void> {
    const { registry, clock, config, dispatcher } = this.deps;
    const now = clock.now();
    for (const fn of registry.match(event)) {
      const changes = newRunChanges({
        runId: RunId(newId(now)),
        fn,
        events: [event],
        now,
        canClaim: (lane) => dispatcher.canClaim(lane),
        owner: dispatcher.owner,
        leaseMs: config.leaseMs,
      });
      out.newRuns.push(...(changes.newRuns ?? []));
      out.enqueue.push(...(changes.enqueue ?? []));
      out.waits.push(...(changes.waits ?? []));
      out.history.push(...(changes.history ?? []));
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
