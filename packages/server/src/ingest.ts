import {
  describeZodError,
  ErrorCode,
  EventId,
  EventInput,
  IngotError,
  QueueItemId,
  type StoredEvent,
} from "@ingot/protocol";
import { QueueLane, type Store } from "@ingot/store";
import type { Clock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import { newId, seededEventIds } from "./ids.js";
import { QueueKind } from "./queue-items.js";
import type { Dispatcher } from "./runner.js";
import type { RunTracer } from "./trace.js";

/** Most events one request may carry (Inngest's limit). */
export const MAX_EVENTS_PER_REQUEST = 5_000;

/**
 * `POST /e/:key` (spec §2.2): validates, assigns ids (deterministic from the SDK's seed), and
 * durably accepts the events together with the queue item that will route them (invariant 3).
 */
export class EventIngest {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      config: ServerConfig;
      dispatcher: Dispatcher;
      tracer?: RunTracer;
    },
  ) {}

  async ingest(body: unknown, seed: string | undefined): Promise<string[]> {
    const inputs = parseEvents(body);
    const now = this.deps.clock.now();
    const ids = seededEventIds(seed, inputs.length) ?? inputs.map(() => newId(now));
    const events = inputs.map((input, index): StoredEvent => {
      const event: StoredEvent = {
        id: EventId(ids[index] ?? newId(now)),
        name: input.name,
        data: input.data ?? {},
        ts: input.ts ?? now,
        receivedAt: now,
      };
      if (input.user) event.user = input.user;
      if (input.v) event.v = input.v;
      if (input.id) event.idempotencyKey = input.id;
      return event;
    });
    return this.accept(events, now);
  }

  /** Accepts already-built events (also used for events the server emits itself). */
  async accept(events: StoredEvent[], now: number): Promise<string[]> {
    const { store, config, dispatcher } = this.deps;
    if (events.length === 0) return [];
    const result = await store.events.accept({
      events,
      now,
      dedupeWindowMs: config.eventDedupeWindowMs,
      then: (accepted) => [
        {
          id: QueueItemId(newId(now)),
          lane: QueueLane.System,
          kind: QueueKind.Events,
          runId: null,
          payload: { eventIds: accepted.map((event) => event.id) },
          availableAt: now,
          ...(dispatcher.canClaim(QueueLane.System)
            ? { claim: { owner: dispatcher.owner, leaseMs: config.leaseMs } }
            : {}),
        },
      ],
    });
    for (const entry of result.results) this.deps.tracer?.mark(entry.id, "event.committed");
    dispatcher.accept(result.enqueued);
    return result.results.map((entry) => entry.id);
  }
}

/**
 * `inngest/…` events (function finished, failed, cancelled, invoked, cron ticks) mean something
 * to the server: a sender who could emit one could resolve another run's `step.invoke` or fire
 * its `onFailure`. No official SDK sends one to the event API; the server's own go through
 * `EventIngest.accept`, which does not parse names.
 */
export function isReservedEventName(name: string): boolean {
  return name.trim().toLowerCase().startsWith("inngest/");
}

/** One event or an array of them; errors name the offending field (`events[2].name: …`). */
export function parseEvents(body: unknown): EventInput[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length > MAX_EVENTS_PER_REQUEST) {
    throw new IngotError(
      ErrorCode.InvalidRequest,
      `too many events in one request: ${list.length}; send at most ${MAX_EVENTS_PER_REQUEST}`,
    );
  }
  return list.map((item, index) => {
    const root = Array.isArray(body) ? `events[${index}]` : "event";
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw new IngotError(
        ErrorCode.InvalidRequest,
        `${root}: expected an event object like {"name": "app/user.created", "data": {}}`,
      );
    }
    const parsed = EventInput.safeParse(item);
    if (!parsed.success)
      throw new IngotError(ErrorCode.InvalidRequest, describeZodError(parsed.error, root));
    if (isReservedEventName(parsed.data.name)) {
      throw new IngotError(
        ErrorCode.ReservedEventName,
        `${root}.name: "${parsed.data.name}" is reserved; names starting with "inngest/" are emitted by the server only (use your own prefix, e.g. "app/…")`,
      );
    }
    return parsed.data;
  });
}
