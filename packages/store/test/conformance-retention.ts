import {
  AppId,
  EventId,
  FunctionId,
  QueueItemId,
  RunId,
  RunStatus,
  StepId,
  type StoredEvent,
} from "@ingot/protocol";
import { expect, it } from "vitest";
import type { AiCallRecord, Changeset, EventCursor, PrunedRuns, Store } from "../src/index.js";

/**
 * Retention cases of the store conformance suite (`--retention`): what `store.retention` may
 * delete, what it must keep, and that every call is a bounded batch.
 */

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const FN = FunctionId("shop-a");
const READERS = { readers: ["events", "debounce"], readerMarginMs: 60_000 };

function event(id: string, receivedAt: number): StoredEvent {
  return { id: EventId(id), name: "shop/order.created", data: { id }, ts: receivedAt, receivedAt };
}

function aiCall(id: string, runId: RunId, at: number): AiCallRecord {
  return {
    id,
    runId,
    stepId: StepId("infer"),
    functionId: FN,
    attempt: 0,
    kind: "infer",
    provider: "openai",
    model: "gpt-test",
    format: "openai-chat",
    url: "https://api.example.com/v1/chat/completions",
    outcome: "ok",
    httpStatus: 200,
    inputTokens: 10,
    outputTokens: 5,
    cachedTokens: null,
    reasoningTokens: null,
    totalTokens: 15,
    costUsd: 0.001,
    latencyMs: 12,
    firstTokenMs: null,
    streamed: false,
    keySource: "op",
    error: null,
    request: { model: "gpt-test" },
    responseText: "ok",
    startedAt: at,
    endedAt: at + 12,
  };
}

async function commitOk(store: Store, changes: Changeset): Promise<void> {
  const result = await store.commit(changes);
  if (!result.ok) throw new Error(`expected the commit to succeed, it was ${result.reason}`);
}

/**
 * A run triggered by `eventId` (stored, received at `at`), with two steps, two history entries,
 * an AI call and a wait; finished with `status` at `endedAt` unless it is still running.
 */
async function seedRun(
  store: Store,
  input: { id: string; at: number; status?: RunStatus; endedAt?: number; eventId?: string },
): Promise<RunId> {
  const runId = RunId(input.id);
  const eventId = EventId(input.eventId ?? `e-${input.id}`);
  if (!(await store.events.get(eventId)))
    await commitOk(store, { events: [event(eventId, input.at)] });
  await commitOk(store, {
    newRuns: [
      { id: runId, functionId: FN, appId: AppId("shop"), eventIds: [eventId], createdAt: input.at },
    ],
    steps: [
      { runId, stepId: StepId("a"), status: "completed", outputJson: "1" },
      { runId, stepId: StepId("b"), status: "completed", outputJson: "2" },
    ],
    history: [
      { runId, at: input.at, type: "function.started" },
      { runId, at: input.at + 1, type: "step.completed", stepId: StepId("a") },
    ],
    aiCalls: [aiCall(`call-${input.id}`, runId, input.at)],
    waits: [
      {
        id: `w-${input.id}`,
        runId,
        stepId: StepId("wait"),
        kind: "event",
        key: "shop/approved",
        condition: null,
        matchPath: null,
        matchValue: null,
        expiresAt: input.at + HOUR,
        createdAt: input.at,
      },
    ],
  });
  const status = input.status ?? RunStatus.Running;
  await commitOk(store, {
    run: {
      id: runId,
      version: 0,
      patch: { status, ...(input.endedAt !== undefined ? { endedAt: input.endedAt } : {}) },
    },
  });
  return runId;
}

/** Everything stored about the run (empty lists and undefined once it is pruned). */
async function traces(store: Store, runId: RunId) {
  return {
    run: await store.runs.get(runId),
    steps: (await store.runs.steps(runId)).length,
    history: (await store.runs.history(runId)).length,
    aiCalls: (await store.aiCalls.list({ runId, limit: 10 })).length,
    waits: (await store.waits.forRun(runId)).length,
  };
}

const gone = { run: undefined, steps: 0, history: 0, aiCalls: 0, waits: 0 };

/** Prunes events in batches of `limit` until the range is done; returns how many went. */
async function pruneAllEvents(store: Store, before: number, limit = 100): Promise<number> {
  let deleted = 0;
  let after: EventCursor | undefined;
  for (;;) {
    const batch = await store.retention.pruneEvents({
      before,
      limit,
      ...READERS,
      ...(after ? { after } : {}),
    });
    deleted += batch.deleted;
    if (batch.scanned < limit) return deleted;
    after = batch.last;
  }
}

export function retentionCases(ctx: { readonly store: Store }): void {
  it("a finished run is deleted with its steps, history, AI calls, waits and event link", async () => {
    const { store } = ctx;
    const done = await seedRun(store, {
      id: "run-done",
      at: T0,
      status: RunStatus.Completed,
      endedAt: T0 + 10,
    });
    const kept = await seedRun(store, {
      id: "run-kept",
      at: T0,
      status: RunStatus.Failed,
      endedAt: T0 + 20,
    });
    expect(await traces(store, done)).toMatchObject({ steps: 2, history: 2, aiCalls: 1, waits: 1 });
    const pruned = await store.retention.pruneRuns({ before: T0 + 20, limit: 100 });
    expect(pruned).toEqual<PrunedRuns>({ runs: 1, steps: 2, history: 2, aiCalls: 1, waits: 1 });
    expect(await traces(store, done)).toEqual(gone);
    // Ended exactly at the cutoff: kept, with everything it has.
    expect(await traces(store, kept)).toMatchObject({ steps: 2, history: 2, aiCalls: 1, waits: 1 });
    expect((await traces(store, kept)).run?.status).toBe(RunStatus.Failed);
    // Its event link went with it: the event is no longer held by a run.
    expect(await store.runs.byEvent(EventId("e-run-done"))).toEqual([]);
    expect(await pruneAllEvents(store, T0 + HOUR)).toBe(1);
    expect(await store.events.get(EventId("e-run-done"))).toBeUndefined();
    expect(await store.events.get(EventId("e-run-kept"))).toBeDefined();
  });

  it("unfinished runs and their events are never pruned, however old", async () => {
    const { store } = ctx;
    const queued = RunId("run-queued");
    await commitOk(store, {
      events: [event("e-queued", T0)],
      newRuns: [
        {
          id: queued,
          functionId: FN,
          appId: AppId("shop"),
          eventIds: [EventId("e-queued")],
          createdAt: T0,
        },
      ],
    });
    const running = await seedRun(store, { id: "run-running", at: T0 });
    const cancelled = await seedRun(store, {
      id: "run-cancelled",
      at: T0,
      status: RunStatus.Cancelled,
      endedAt: T0 + 5,
    });
    const far = T0 + 1_000 * HOUR;
    expect(await store.retention.pruneRuns({ before: far, limit: 100 })).toMatchObject({ runs: 1 });
    expect(await traces(store, cancelled)).toEqual(gone);
    expect((await store.runs.get(queued))?.status).toBe(RunStatus.Queued);
    expect(await traces(store, running)).toMatchObject({
      steps: 2,
      history: 2,
      aiCalls: 1,
      waits: 1,
    });
    expect(await pruneAllEvents(store, far)).toBe(1); // the cancelled run's event only
    expect(await store.events.get(EventId("e-queued"))).toBeDefined();
    expect(await store.events.get(EventId("e-run-running"))).toBeDefined();
    // Once the run finishes and its retention passes, it and its event go.
    await commitOk(store, {
      run: { id: running, version: 1, patch: { status: RunStatus.Completed, endedAt: T0 + HOUR } },
    });
    expect(await store.retention.pruneRuns({ before: far, limit: 100 })).toMatchObject({ runs: 1 });
    expect(await pruneAllEvents(store, far)).toBe(1);
    expect(await store.events.get(EventId("e-run-running"))).toBeUndefined();
  });

  it("an event shared by a pruned run and a kept run stays until both are gone", async () => {
    const { store } = ctx;
    await seedRun(store, { id: "run-1", at: T0, status: RunStatus.Completed, endedAt: T0 + 1 });
    await seedRun(store, {
      id: "run-2",
      at: T0,
      status: RunStatus.Completed,
      endedAt: T0 + HOUR,
      eventId: "e-run-1",
    });
    await store.retention.pruneRuns({ before: T0 + 2, limit: 100 });
    expect(await pruneAllEvents(store, T0 + 2 * HOUR)).toBe(0);
    expect(await store.events.get(EventId("e-run-1"))).toBeDefined();
    await store.retention.pruneRuns({ before: T0 + 2 * HOUR, limit: 100 });
    expect(await pruneAllEvents(store, T0 + 2 * HOUR)).toBe(1);
  });

  it("nothing received or ended at or after the cutoff is touched", async () => {
    const { store } = ctx;
    await commitOk(store, {
      events: [event("e-old", T0 - 1), event("e-edge", T0), event("e-new", T0 + 1)],
    });
    await seedRun(store, {
      id: "run-edge",
      at: T0 - HOUR,
      status: RunStatus.Completed,
      endedAt: T0,
    });
    expect(await store.retention.pruneRuns({ before: T0, limit: 100 })).toMatchObject({ runs: 0 });
    // e-old only: the run's event is older but the run still links to it.
    expect(await pruneAllEvents(store, T0)).toBe(1);
    const left = await store.events.list({ limit: 10 });
    expect(left.map((e) => e.id).sort()).toEqual(["e-edge", "e-new", "e-run-edge"]);
    expect(await store.runs.get(RunId("run-edge"))).toBeDefined();
  });

  it("each call is a batch of at most `limit` runs or events, oldest first", async () => {
    const { store } = ctx;
    for (let i = 0; i < 5; i++) {
      await seedRun(store, {
        id: `run-${i}`,
        at: T0 + i,
        status: RunStatus.Completed,
        endedAt: T0 + 100 - i * 10, // run-4 ended first
      });
    }
    const prune = () => store.retention.pruneRuns({ before: T0 + HOUR, limit: 2 });
    expect((await prune()).runs).toBe(2);
    expect(await store.runs.get(RunId("run-4"))).toBeUndefined();
    expect(await store.runs.get(RunId("run-3"))).toBeUndefined();
    expect(await store.runs.get(RunId("run-2"))).toBeDefined();
    expect((await prune()).runs).toBe(2);
    expect((await prune()).runs).toBe(1);
    expect((await prune()).runs).toBe(0);

    const first = await store.retention.pruneEvents({ before: T0 + HOUR, limit: 2, ...READERS });
    expect(first).toEqual({ deleted: 2, scanned: 2, last: { receivedAt: T0 + 1, id: "e-run-1" } });
    const second = await store.retention.pruneEvents({
      before: T0 + HOUR,
      limit: 2,
      after: first.last,
      ...READERS,
    });
    expect(second).toEqual({ deleted: 2, scanned: 2, last: { receivedAt: T0 + 3, id: "e-run-3" } });
    const third = await store.retention.pruneEvents({
      before: T0 + HOUR,
      limit: 2,
      after: second.last,
      ...READERS,
    });
    expect(third).toEqual({ deleted: 1, scanned: 1, last: { receivedAt: T0 + 4, id: "e-run-4" } });
  });

  it("events still linked to a run are looked at but kept, and the cursor moves past them", async () => {
    const { store } = ctx;
    await seedRun(store, { id: "run-live", at: T0 });
    await commitOk(store, { events: [event("e-free", T0 + 1)] });
    const batch = await store.retention.pruneEvents({ before: T0 + HOUR, limit: 1, ...READERS });
    expect(batch).toEqual({ deleted: 0, scanned: 1, last: { receivedAt: T0, id: "e-run-live" } });
    const next = await store.retention.pruneEvents({
      before: T0 + HOUR,
      limit: 1,
      after: batch.last,
      ...READERS,
    });
    expect(next).toMatchObject({ deleted: 1, scanned: 1 });
    expect(await store.events.get(EventId("e-free"))).toBeUndefined();
  });

  it("events that pending routing or flow items may still read are kept", async () => {
    const { store } = ctx;
    // Queue items are stamped with the backend's clock: events are placed around it.
    const now = Date.now();
    await commitOk(store, {
      events: [event("e-long-ago", now - 10 * 60_000), event("e-recent", now - 30_000)],
      enqueue: [
        {
          id: QueueItemId("route"),
          lane: "system",
          kind: "events",
          runId: null,
          payload: { eventIds: ["e-recent"] },
          availableAt: now,
        },
        {
          id: QueueItemId("cron"),
          lane: "system",
          kind: "cron",
          runId: null,
          payload: {},
          availableAt: now,
        },
      ],
    });
    const later = now + HOUR;
    // Received more than the margin before the routing item: it cannot be what the item routes.
    expect(await pruneAllEvents(store, later)).toBe(1);
    expect(await store.events.get(EventId("e-long-ago"))).toBeUndefined();
    expect(await store.events.get(EventId("e-recent"))).toBeDefined();
    const claimed = await store.queue.claim({
      lanes: ["system"],
      now: later,
      limit: 2,
      owner: "w",
      leaseMs: 1_000,
    });
    const item = claimed.find((candidate) => candidate.id === "route");
    await commitOk(store, {
      complete: { id: QueueItemId("route"), lease: item?.leaseToken ?? "" },
    });
    // The cron item is not a reader.
    expect(await pruneAllEvents(store, later)).toBe(1);
    expect(await store.events.get(EventId("e-recent"))).toBeUndefined();
  });

  it("prunes started at once on one database delete and count each run once", async () => {
    const { store } = ctx;
    for (let i = 0; i < 12; i++) {
      await seedRun(store, {
        id: `run-${i}`,
        at: T0,
        status: RunStatus.Completed,
        endedAt: T0 + i,
      });
    }
    const batches = await Promise.all(
      Array.from({ length: 4 }, () => store.retention.pruneRuns({ before: T0 + HOUR, limit: 5 })),
    );
    let total = batches.reduce((sum, batch) => sum + batch.runs, 0);
    while (total < 12) {
      const more = await store.retention.pruneRuns({ before: T0 + HOUR, limit: 5 });
      if (more.runs === 0) break;
      total += more.runs;
    }
    expect(total).toBe(12);
    expect(await store.runs.list({ limit: 20 })).toEqual([]);
  });

  it("expired idempotency keys, flow state and sessions are swept in batches", async () => {
    const { store } = ctx;
    const keyed = (id: string, key: string) => ({ ...event(id, T0), idempotencyKey: key });
    await store.events.accept({
      events: [keyed("k1", "key-1"), keyed("k2", "key-2"), keyed("k3", "key-3")],
      now: T0,
      dedupeWindowMs: 1_000,
      then: () => [],
    });
    expect(await store.retention.sweepEventKeys(T0 + 999, 10)).toBe(0);
    expect(await store.retention.sweepEventKeys(T0 + 1_000, 2)).toBe(2);
    expect(await store.retention.sweepEventKeys(T0 + 1_000, 2)).toBe(1);
    // Swept or not, an expired key no longer dedupes.
    const again = await store.events.accept({
      events: [keyed("k4", "key-1")],
      now: T0 + 1_000,
      dedupeWindowMs: 1_000,
      then: () => [],
    });
    expect(again.results).toEqual([{ id: "k4", duplicate: false }]);

    const flow = (key: string, expiresAt: number) => ({
      fnId: "fn",
      kind: "throttle",
      key,
      at: T0,
      expect: null,
      value: { key },
      expiresAt,
    });
    await commitOk(store, { flow: [flow("a", T0 + 1), flow("b", T0 + 1), flow("c", T0 + 9)] });
    expect(await store.flow.sweep(T0 + 5, 1)).toBe(1);
    expect(await store.flow.sweep(T0 + 5, 1)).toBe(1);
    expect(await store.flow.sweep(T0 + 5, 1)).toBe(0);
    expect(
      await store.flow.get({ fnId: "fn", kind: "throttle", key: "c", now: T0 + 5 }),
    ).toBeDefined();

    for (const digest of ["s1", "s2", "s3"])
      await store.sessions.create({ digest, createdAt: T0, expiresAt: T0 + 10 });
    await store.sessions.create({ digest: "s4", createdAt: T0, expiresAt: T0 + 100 });
    expect(await store.sessions.sweep(T0 + 10, 2)).toBe(2);
    expect(await store.sessions.sweep(T0 + 10, 2)).toBe(1);
    expect(await store.sessions.valid("s4", T0 + 10)).toBe(true);
  });

  it("usage reports the database's size", async () => {
    const { store } = ctx;
    const usage = await store.retention.usage();
    expect(usage.bytes).toBeGreaterThan(0);
    expect(usage.freeBytes).toBeGreaterThanOrEqual(0);
    expect(usage.freeBytes).toBeLessThanOrEqual(usage.bytes);
    expect(await store.retention.reclaim(0)).toBe(0);
  });
}
