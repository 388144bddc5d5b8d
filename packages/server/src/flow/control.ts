import {
  batchOnEvent,
  debounceOnEvent,
  matches,
  priorityShiftMs,
  rateLimitAdmits,
  throttleStart,
  tryEvaluate,
} from "@ingot/engine";
import {
  type FunctionConfig,
  isTerminal,
  parseDurationMs,
  QueueItemId,
  RunId,
  type StoredEvent,
  toSdkEvent,
} from "@ingot/protocol";
import {
  type Changeset,
  type ConcurrencyKey,
  type FunctionRecord,
  type NewQueueItem,
  QueueLane,
  type Store,
} from "@ingot/store";
import type { ServerConfig } from "../config.js";
import { newId } from "../ids.js";
import { QueueKind } from "../queue-items.js";
import { newRunChanges } from "../run-factory.js";
import type { Dispatcher } from "../runner.js";
import type { FlowCache } from "./cache.js";
import { flowKey } from "./keys.js";

const DAY_MS = 86_400_000;

/** What starting one run takes: its rows, and runs a `singleton: cancel` displaces. */
export interface StartPlan {
  runId: RunId;
  changes: Pick<Changeset, "newRuns" | "enqueue" | "waits" | "history">;
  cancel: NewQueueItem[];
}

export type Admission =
  | { kind: "dropped"; reason: string }
  | { kind: "deferred"; timers: NewQueueItem[] }
  | { kind: "started"; plan: StartPlan };

export const FlowKind = {
  Idempotency: "idempotency",
  RateLimit: "rate-limit",
  Debounce: "debounce",
  Batch: "batch",
  Throttle: "throttle",
  Singleton: "singleton",
  CronTick: "cron-tick",
} as const;

/**
 * Flow control at the moment an event would start a run (spec §7.1), in Inngest's order:
 * idempotency and rate limit may drop it, debounce and batching defer it, throttle delays its
 * start, singleton skips it or cancels the run it replaces; priority and concurrency travel
 * with the run's requests.
 */
export class FlowControl {
  constructor(
    private readonly deps: { store: Store; config: ServerConfig; dispatcher: Dispatcher },
  ) {}

  async admit(fn: FunctionRecord, event: StoredEvent, cache: FlowCache): Promise<Admission> {
    const config = fn.config;
    const now = cache.now;
    const sdkEvent = toSdkEvent(event);
    if (config.idempotency) {
      const key = flowKey(config.idempotency, sdkEvent);
      if ((await cache.get(fn.id, FlowKind.Idempotency, key)) !== undefined) {
        return {
          kind: "dropped",
          reason: `idempotency key ${key} already started a run in the last 24 h`,
        };
      }
      await cache.set(fn.id, FlowKind.Idempotency, key, event.id, now + DAY_MS);
    }
    if (config.rateLimit) {
      const periodMs = durationOf(config.rateLimit.period);
      const key = flowKey(config.rateLimit.key, sdkEvent);
      const tat = numberOr(await cache.get(fn.id, FlowKind.RateLimit, key));
      const decision = rateLimitAdmits({ tat, now, limit: config.rateLimit.limit, periodMs });
      if (!decision.admitted)
        return { kind: "dropped", reason: `rate limit for key ${JSON.stringify(key)}` };
      await cache.set(fn.id, FlowKind.RateLimit, key, decision.tat, decision.tat + periodMs);
    }
    if (config.debounce) return this.debounce(fn, config.debounce, event, cache);
    if (config.batchEvents) {
      const batch = config.batchEvents;
      if (batch.if === undefined || matches(batch.if, { event: sdkEvent })) {
        return this.batch(fn, batch, event, cache);
      }
    }
    return this.start(fn, [event], cache);
  }

  /** Starts a run now, or as soon as its throttle allows (debounce and batch timers come here). */
  async start(
    fn: FunctionRecord,
    events: StoredEvent[],
    cache: FlowCache,
    extra: { history?: { type: string; data: unknown } } = {},
  ): Promise<Admission> {
    const config = fn.config;
    const now = cache.now;
    const first = events[0];
    const sdkEvent = first ? toSdkEvent(first) : {};
    let startAt = now;
    if (config.throttle) {
      const periodMs = durationOf(config.throttle.period);
      const key = flowKey(config.throttle.key, sdkEvent);
      const tat = numberOr(await cache.get(fn.id, FlowKind.Throttle, key));
      const decision = throttleStart({
        tat,
        now,
        limit: config.throttle.limit,
        periodMs,
        burst: config.throttle.burst ?? 0,
      });
      startAt = decision.at;
      await cache.set(fn.id, FlowKind.Throttle, key, decision.tat, decision.tat + periodMs);
    }
    const runId = RunId(newId(now));
    const cancel: NewQueueItem[] = [];
    if (config.singleton) {
      const key = flowKey(config.singleton.key, sdkEvent);
      const current = await cache.get(fn.id, FlowKind.Singleton, key);
      const active =
        typeof current === "string" ? await this.deps.store.runs.get(RunId(current)) : undefined;
      if (active && !isTerminal(active.status)) {
        if (config.singleton.mode === "skip") {
          return { kind: "dropped", reason: `singleton: run ${active.id} is still in progress` };
        }
        cancel.push(
          systemItem(now, QueueKind.Cancel, active.id, {
            reason: `replaced by run ${runId} (singleton)`,
          }),
        );
      }
      await cache.set(fn.id, FlowKind.Singleton, key, runId, now + 366 * DAY_MS);
    }
    const { dispatcher, config: server } = this.deps;
    const changes = newRunChanges({
      runId,
      fn,
      events,
      now,
      canClaim: (lane) => dispatcher.canClaim(lane),
      owner: dispatcher.owner,
      leaseMs: server.leaseMs,
      availableAt: startAt,
      priorityMs: priorityOf(config, sdkEvent),
      concurrency: concurrencyOf(fn, sdkEvent),
    });
    changes.enqueue?.push(...timeoutItems(config, runId, now));
    if (startAt > now) {
      changes.history?.push({
        runId,
        at: now,
        type: "function.throttled",
        data: { startsAt: startAt },
      });
    }
    if (extra.history) changes.history?.push({ runId, at: now, ...extra.history });
    return { kind: "started", plan: { runId, changes, cancel } };
  }

  private async debounce(
    fn: FunctionRecord,
    debounce: NonNullable<FunctionConfig["debounce"]>,
    event: StoredEvent,
    cache: FlowCache,
  ): Promise<Admission> {
    const key = flowKey(debounce.key, toSdkEvent(event));
    const state = debounceOnEvent({
      state: debounceState(await cache.get(fn.id, FlowKind.Debounce, key)),
      eventId: event.id,
      now: cache.now,
      periodMs: durationOf(debounce.period),
      timeoutMs: debounce.timeout === undefined ? undefined : durationOf(debounce.timeout),
    });
    await cache.set(fn.id, FlowKind.Debounce, key, state, state.dueAt + DAY_MS);
    const timer = systemItem(
      cache.now,
      QueueKind.Debounce,
      null,
      { fnId: fn.id, key },
      state.dueAt,
    );
    timer.dedupeKey = `debounce:${fn.id}:${key}`;
    timer.reschedule = true;
    return { kind: "deferred", timers: [timer] };
  }

  private async batch(
    fn: FunctionRecord,
    batch: NonNullable<FunctionConfig["batchEvents"]>,
    event: StoredEvent,
    cache: FlowCache,
  ): Promise<Admission> {
    const key = flowKey(batch.key, toSdkEvent(event));
    const timeoutMs = durationOf(batch.timeout);
    const decision = batchOnEvent({
      state: batchState(await cache.get(fn.id, FlowKind.Batch, key)),
      eventId: event.id,
      now: cache.now,
      maxSize: batch.maxSize,
      timeoutMs,
    });
    if (decision.kind === "flush") {
      await cache.set(fn.id, FlowKind.Batch, key, undefined, 0);
      const events = await this.deps.store.events.getMany(
        decision.eventIds.filter((id) => id !== event.id) as StoredEvent["id"][],
      );
      return this.start(fn, [...events, event], cache, {
        history: { type: "function.batched", data: { size: decision.eventIds.length } },
      });
    }
    await cache.set(
      fn.id,
      FlowKind.Batch,
      key,
      decision.state,
      decision.state.firstAt + timeoutMs + DAY_MS,
    );
    if (decision.timerAt === undefined) return { kind: "deferred", timers: [] };
    const timer = systemItem(
      cache.now,
      QueueKind.Batch,
      null,
      { fnId: fn.id, key },
      decision.timerAt,
    );
    timer.dedupeKey = `batch:${fn.id}:${key}`;
    return { kind: "deferred", timers: [timer] };
  }
}

export function systemItem(
  now: number,
  kind: QueueKind,
  runId: RunId | null,
  payload: unknown,
  at = now,
): NewQueueItem {
  return {
    id: QueueItemId(newId(now)),
    lane: QueueLane.System,
    kind,
    runId,
    payload,
    availableAt: at,
  };
}

/** Flow-control periods were validated at sync; an unparsable one behaves as zero. */
export function durationOf(text: string): number {
  return parseDurationMs(text) ?? 0;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

export function debounceState(
  value: unknown,
): { eventId: string; firstAt: number; dueAt: number } | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  return typeof record.eventId === "string" &&
    typeof record.firstAt === "number" &&
    typeof record.dueAt === "number"
    ? { eventId: record.eventId, firstAt: record.firstAt, dueAt: record.dueAt }
    : undefined;
}

export function batchState(value: unknown): { eventIds: string[]; firstAt: number } | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  return Array.isArray(record.eventIds) && typeof record.firstAt === "number"
    ? {
        eventIds: record.eventIds.filter((id): id is string => typeof id === "string"),
        firstAt: record.firstAt,
      }
    : undefined;
}

function priorityOf(config: FunctionConfig, event: Record<string, unknown>): number {
  const expression = config.priority?.run;
  if (!expression) return 0;
  const result = tryEvaluate(expression, { event });
  return result.ok ? priorityShiftMs(result.value) : 0;
}

/**
 * Concurrency keys (spec §7.1): a number or up to two `{limit, key?, scope?}`. Function scope is
 * per function; `env` and `account` scope share the key across functions.
 */
export function concurrencyOf(
  fn: FunctionRecord,
  event: Record<string, unknown>,
): ConcurrencyKey[] {
  const raw = fn.config.concurrency;
  if (raw === undefined) return [];
  const items = typeof raw === "number" ? [{ limit: raw }] : Array.isArray(raw) ? raw : [raw];
  return items
    .filter((item) => item.limit > 0)
    .map((item) => {
      const scope = "scope" in item && typeof item.scope === "string" ? item.scope : "fn";
      const value = "key" in item && typeof item.key === "string" ? flowKey(item.key, event) : "*";
      const prefix =
        scope === "fn" ? `fn:${fn.id}` : `${scope}:${"key" in item ? String(item.key) : ""}`;
      return { key: `${prefix}:${value}`, limit: item.limit };
    });
}

function timeoutItems(config: FunctionConfig, runId: RunId, now: number): NewQueueItem[] {
  const timeouts = config.timeouts;
  if (!timeouts) return [];
  if (timeouts.start !== undefined) {
    return [
      systemItem(
        now,
        QueueKind.Timeout,
        runId,
        { phase: "start" },
        now + durationOf(timeouts.start),
      ),
    ];
  }
  if (timeouts.finish !== undefined) {
    return [
      systemItem(
        now,
        QueueKind.Timeout,
        runId,
        { phase: "finish" },
        now + durationOf(timeouts.finish),
      ),
    ];
  }
  return [];
}
