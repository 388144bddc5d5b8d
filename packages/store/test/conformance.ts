import {
  AppId,
  EventId,
  type FunctionConfig,
  FunctionId,
  QueueItemId,
  RunId,
  RunStatus,
  StepId,
  type StoredEvent,
} from "@ingot/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FlowWrite } from "../src/index.js";
import { retentionCases } from "./conformance-retention.js";
import type {
  AppSync,
  Changeset,
  FunctionRecord,
  NewQueueItem,
  NewRun,
  NewWait,
  QueueItem,
  RunRecord,
  Store,
  WaitRecord,
} from "../src/index.js";

/**
 * The behaviour every `Store` backend must have (STYLE.md rule 5). A backend's test file calls
 * `defineStoreConformance(name, open)`; `open` returns a fresh, empty store for each test and a
 * `cleanup` that closes it and removes whatever it created. Only the public `Store` interface is
 * used here, so the same cases run unchanged against SQLite and Postgres.
 *
 * Times passed to the store are fixed (`T0 + …`). A few values are stamped by the backend's own
 * clock (queue items and steps written by `commit`); those are checked to lie within the
 * wall-clock interval of the call, so `open` must give the store the real clock.
 */
export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

export function defineStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store conformance: ${name}`, () => {
    let opened: OpenedStore | undefined;
    const ctx: Ctx = {
      get store(): Store {
        if (!opened) throw new Error("the store is not open (used outside a test?)");
        return opened.store;
      },
    };
    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => {
      const current = opened;
      opened = undefined;
      await current?.cleanup();
    });

    describe("apps", () => appCases(ctx));
    describe("events", () => eventCases(ctx));
    describe("commit", () => commitCases(ctx));
    describe("steps", () => stepCases(ctx));
    describe("commit waits", () => commitWaitCases(ctx));
    describe("queue", () => queueCases(ctx));
    describe("runs", () => runCases(ctx));
    describe("waits", () => waitCases(ctx));
    describe("concurrency", () => concurrencyCases(ctx));
    describe("flow control", () => flowCases(ctx));
    describe("sessions", () => sessionCases(ctx));
    describe("retention", () => retentionCases(ctx));
  });
}

interface Ctx {
  readonly store: Store;
}

// ─── builders ────────────────────────────────────────────────────────────────────────────────

const T0 = 1_700_000_000_000;
const APP = AppId("shop");
const FN_A = FunctionId("shop-a");
const FN_B = FunctionId("shop-b");

type SyncedFunction = AppSync["functions"][number];

function fnConfig(id: string, event = "shop/order.created"): FunctionConfig {
  return {
    id,
    name: id,
    triggers: [{ event }],
    steps: { step: { id: "step", name: "step", runtime: { url: "http://app/api/inngest" } } },
  };
}

function fn(slug: "a" | "b" | "c", config = fnConfig(slug)): SyncedFunction {
  return { id: FunctionId(`shop-${slug}`), name: `Fn ${slug}`, config, uuid: `uuid-${slug}` };
}

function syncOf(
  now: number,
  functions: SyncedFunction[],
  app: Partial<AppSync["app"]> = {},
): AppSync {
  return {
    app: {
      id: APP,
      url: "http://localhost:3000/api/inngest",
      sdk: "js:v4.0.0",
      framework: "express",
      appVersion: "1",
      error: null,
      syncedAt: now,
      ...app,
    },
    functions,
    now,
  };
}

function fnRecord(
  f: SyncedFunction,
  times: { createdAt: number; updatedAt: number; archivedAt?: number | null },
): FunctionRecord {
  return {
    id: f.id,
    uuid: f.uuid,
    appId: APP,
    name: f.name,
    config: f.config,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
    archivedAt: times.archivedAt ?? null,
  };
}

function event(id: string, patch: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id: EventId(id),
    name: "shop/order.created",
    data: { order: id },
    ts: T0 - 5,
    receivedAt: T0,
    ...patch,
  };
}

function newRun(id: string, patch: Partial<NewRun> = {}): NewRun {
  return { id: RunId(id), functionId: FN_A, appId: APP, eventIds: [], createdAt: T0, ...patch };
}

function queued(id: string, patch: Partial<NewQueueItem> = {}): NewQueueItem {
  return {
    id: QueueItemId(id),
    lane: "sdk",
    kind: "execute",
    runId: null,
    payload: { item: id },
    availableAt: T0,
    ...patch,
  };
}

function newWait(id: string, patch: Partial<NewWait> = {}): NewWait {
  return {
    id,
    runId: RunId("run-1"),
    stepId: StepId("wait-step"),
    kind: "event",
    key: "shop/approval",
    condition: null,
    matchPath: null,
    matchValue: null,
    expiresAt: T0 + 60_000,
    createdAt: T0,
    ...patch,
  };
}

/** The record a `NewWait` is stored as. */
function waitRecord(wait: NewWait): WaitRecord {
  const { lookback: _lookback, ...record } = wait;
  return record;
}

function runRecord(run: NewRun, patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id: run.id,
    functionId: run.functionId,
    appId: run.appId,
    status: RunStatus.Queued,
    eventIds: run.eventIds,
    output: null,
    error: null,
    createdAt: run.createdAt,
    startedAt: null,
    endedAt: null,
    requestVersion: -1,
    forceStepPlan: false,
    priorityMs: run.priorityMs ?? 0,
    concurrency: run.concurrency ?? null,
    version: 0,
    correlationId: run.correlationId ?? null,
    ...patch,
  };
}

/** An unleased queue item as the store returns it; `createdAt` is the backend's clock. */
function unleased(item: NewQueueItem, createdAt: number = anyNumber()): QueueItem {
  return {
    id: item.id,
    lane: item.lane,
    kind: item.kind,
    runId: item.runId,
    payload: item.payload,
    availableAt: item.availableAt,
    leaseOwner: null,
    leaseToken: null,
    concurrency: null,
    createdAt,
  };
}

/** Matchers typed as the values they stand for (vitest types them `any`). */
const anyNumber = (): number => expect.any(Number) as number;
const anyString = (): string => expect.any(String) as string;

async function commitOk(store: Store, changes: Changeset): Promise<QueueItem[]> {
  const result = await store.commit(changes);
  if (!result.ok) throw new Error(`expected the commit to succeed, it was ${result.reason}`);
  return result.enqueued;
}

/** Runs `fn` and returns the wall-clock interval around it, for backend-stamped times. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; from: number; to: number }> {
  const from = Date.now();
  const value = await fn();
  return { value, from, to: Date.now() };
}

async function claimOne(
  store: Store,
  input: { lane?: QueueItem["lane"]; now: number; owner: string; leaseMs?: number },
): Promise<QueueItem> {
  const [item] = await store.queue.claim({
    lanes: [input.lane ?? "sdk"],
    now: input.now,
    limit: 1,
    owner: input.owner,
    leaseMs: input.leaseMs ?? 1_000,
  });
  if (!item) throw new Error("expected an item to claim");
  return item;
}

function leaseOf(item: QueueItem): { id: QueueItemId; lease: string } {
  if (item.leaseToken === null) throw new Error(`item ${item.id} is not leased`);
  return { id: item.id, lease: item.leaseToken };
}

const byId = <T extends { id: string }>(rows: T[]): T[] =>
  [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const ids = (rows: { id: string }[]): string[] => rows.map((row) => row.id);

// ─── apps ────────────────────────────────────────────────────────────────────────────────────

function appCases(ctx: Ctx): void {
  it("sync inserts the app and its functions", async () => {
    const { store } = ctx;
    expect(await store.apps.sync(syncOf(T0, [fn("a"), fn("b")]))).toEqual({
      added: 2,
      updated: 0,
      archived: 0,
    });
    expect(await store.apps.get(APP)).toEqual({
      id: APP,
      url: "http://localhost:3000/api/inngest",
      sdk: "js:v4.0.0",
      framework: "express",
      appVersion: "1",
      error: null,
      syncedAt: T0,
      createdAt: T0,
    });
    const times = { createdAt: T0, updatedAt: T0 };
    expect(byId(await store.apps.functions())).toEqual([
      fnRecord(fn("a"), times),
      fnRecord(fn("b"), times),
    ]);
    expect(await store.apps.getFunction(FN_A)).toEqual(fnRecord(fn("a"), times));
    expect(await store.apps.getFunction(FunctionId("shop-missing"))).toBeUndefined();
  });

  it("re-sync with the same config updates nothing but the app's sync time", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a"), fn("b")]));
    expect(await store.apps.sync(syncOf(T0 + 100, [fn("a"), fn("b")]))).toEqual({
      added: 0,
      updated: 0,
      archived: 0,
    });
    expect((await store.apps.get(APP))?.syncedAt).toBe(T0 + 100);
    expect((await store.apps.get(APP))?.createdAt).toBe(T0);
    const times = { createdAt: T0, updatedAt: T0 };
    expect(byId(await store.apps.functions())).toEqual([
      fnRecord(fn("a"), times),
      fnRecord(fn("b"), times),
    ]);
  });

  it("re-sync with a changed config updates the function and keeps its uuid", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a"), fn("b")]));
    const changed = fn("a", fnConfig("a", "shop/order.paid"));
    // A re-sync proposes a fresh uuid; the stored one must not change (spec §9.1 `ctx.fn_id`).
    const resynced = { ...changed, name: "Fn a v2", uuid: "uuid-a-new" };
    expect(await store.apps.sync(syncOf(T0 + 100, [resynced, fn("b")]))).toEqual({
      added: 0,
      updated: 1,
      archived: 0,
    });
    expect(await store.apps.getFunction(FN_A)).toEqual({
      ...fnRecord(changed, { createdAt: T0, updatedAt: T0 + 100 }),
      name: "Fn a v2",
      uuid: "uuid-a",
    });
    expect(await store.apps.getFunction(FN_B)).toEqual(
      fnRecord(fn("b"), { createdAt: T0, updatedAt: T0 }),
    );
  });

  it("a function missing from a re-sync is archived and hidden", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a"), fn("b")]));
    expect(await store.apps.sync(syncOf(T0 + 100, [fn("a")]))).toEqual({
      added: 0,
      updated: 0,
      archived: 1,
    });
    const archivedB = fnRecord(fn("b"), {
      createdAt: T0,
      updatedAt: T0 + 100,
      archivedAt: T0 + 100,
    });
    expect(ids(await store.apps.functions())).toEqual([FN_A]);
    expect(byId(await store.apps.functions({ includeArchived: true }))).toEqual([
      fnRecord(fn("a"), { createdAt: T0, updatedAt: T0 }),
      archivedB,
    ]);
    expect(await store.apps.getFunction(FN_B)).toEqual(archivedB);
    // Already archived: not archived again by the next sync.
    expect(await store.apps.sync(syncOf(T0 + 200, [fn("a")]))).toEqual({
      added: 0,
      updated: 0,
      archived: 0,
    });
    expect(await store.apps.getFunction(FN_B)).toEqual(archivedB);
  });

  it("a re-listed archived function is un-archived with the same uuid", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a"), fn("b")]));
    await store.apps.sync(syncOf(T0 + 100, [fn("a")]));
    const relisted = { ...fn("b"), uuid: "uuid-b-new" };
    expect(await store.apps.sync(syncOf(T0 + 200, [fn("a"), relisted, fn("c")]))).toEqual({
      added: 1,
      updated: 1,
      archived: 0,
    });
    expect(byId(await store.apps.functions())).toEqual([
      fnRecord(fn("a"), { createdAt: T0, updatedAt: T0 }),
      fnRecord(fn("b"), { createdAt: T0, updatedAt: T0 + 200 }),
      fnRecord(fn("c"), { createdAt: T0 + 200, updatedAt: T0 + 200 }),
    ]);
  });

  // Regression (was a bug): sync compares only the config, so a function renamed without a config change is
  // skipped and keeps its old name. Expected {updated: 1} and name "Fn a renamed"; SQLite returns
  // {updated: 0} and keeps "Fn a". (The server derives the name from config.name, so it is not
  // reachable through HTTP sync today.)
  it("a function renamed with the same config is updated", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a")]));
    const renamed = { ...fn("a"), name: "Fn a renamed" };
    expect(await store.apps.sync(syncOf(T0 + 100, [renamed]))).toEqual({
      added: 0,
      updated: 1,
      archived: 0,
    });
    expect((await store.apps.getFunction(FN_A))?.name).toBe("Fn a renamed");
  });

  it("recordError stores the error until the next successful sync", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a")]));
    await store.apps.recordError(APP, "connect ECONNREFUSED 127.0.0.1:3000", T0 + 50);
    expect((await store.apps.get(APP))?.error).toBe("connect ECONNREFUSED 127.0.0.1:3000");
    expect(await store.apps.lastChangeAt()).toBe(T0 + 50);
    await store.apps.sync(syncOf(T0 + 100, [fn("a")]));
    expect((await store.apps.get(APP))?.error).toBeNull();
  });

  it("list returns every app, and an app's fields follow its latest sync", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a")]));
    await store.apps.sync({
      app: {
        id: AppId("billing"),
        url: "http://localhost:4000/api/inngest",
        sdk: null,
        framework: null,
        appVersion: null,
        error: null,
        syncedAt: T0 + 10,
      },
      functions: [],
      now: T0 + 10,
    });
    await store.apps.sync(syncOf(T0 + 20, [fn("a")], { url: "http://shop:3000/api/inngest" }));
    expect(byId(await store.apps.list())).toEqual([
      {
        id: AppId("billing"),
        url: "http://localhost:4000/api/inngest",
        sdk: null,
        framework: null,
        appVersion: null,
        error: null,
        syncedAt: T0 + 10,
        createdAt: T0 + 10,
      },
      {
        id: APP,
        url: "http://shop:3000/api/inngest",
        sdk: "js:v4.0.0",
        framework: "express",
        appVersion: "1",
        error: null,
        syncedAt: T0 + 20,
        createdAt: T0,
      },
    ]);
    expect(await store.apps.get(AppId("nope"))).toBeUndefined();
  });

  it("remove deletes the app and archives its functions only", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, [fn("a"), fn("b")]));
    const other: SyncedFunction = {
      id: FunctionId("billing-x"),
      name: "X",
      config: fnConfig("x"),
      uuid: "uuid-x",
    };
    await store.apps.sync({ ...syncOf(T0, [other], { id: AppId("billing") }) });
    expect(await store.apps.remove(APP, T0 + 100)).toBe(true);
    expect(await store.apps.get(APP)).toBeUndefined();
    expect(ids(await store.apps.list())).toEqual(["billing"]);
    expect(ids(await store.apps.functions())).toEqual(["billing-x"]);
    expect((await store.apps.getFunction(FN_A))?.archivedAt).toBe(T0 + 100);
    expect((await store.apps.getFunction(FN_B))?.archivedAt).toBe(T0 + 100);
    expect(await store.apps.remove(APP, T0 + 200)).toBe(false);
    expect(await store.apps.remove(AppId("never-synced"), T0 + 200)).toBe(false);
  });

  it("lastChangeAt follows syncs, errors and removals", async () => {
    const { store } = ctx;
    expect(await store.apps.lastChangeAt()).toBe(0);
    await store.apps.sync(syncOf(T0, [fn("a")]));
    expect(await store.apps.lastChangeAt()).toBe(T0);
    await store.apps.sync(syncOf(T0 + 10, [fn("a")]));
    expect(await store.apps.lastChangeAt()).toBe(T0 + 10);
    await store.apps.recordError(APP, "boom", T0 + 20);
    expect(await store.apps.lastChangeAt()).toBe(T0 + 20);
    await store.apps.remove(APP, T0 + 30);
    expect(await store.apps.lastChangeAt()).toBe(T0 + 30);
  });

  // Regression (was a bug): removing an app that has no live functions deletes the only row carrying its change
  // time, so lastChangeAt goes back (to 0 here) and other nodes never notice the removal.
  // Expected: the removal time (T0 + 30); SQLite returns 0.
  it("lastChangeAt never goes back, even when an app without functions is removed", async () => {
    const { store } = ctx;
    await store.apps.sync(syncOf(T0, []));
    await store.apps.remove(APP, T0 + 30);
    expect(await store.apps.lastChangeAt()).toBe(T0 + 30);
  });
}

// ─── events ──────────────────────────────────────────────────────────────────────────────────

function eventCases(ctx: Ctx): void {
  /** `accept` with a `then` that enqueues one item per event and records what it was given. */
  async function accept(
    store: Store,
    events: StoredEvent[],
    options: { now?: number; windowMs?: number } = {},
  ) {
    const given: StoredEvent[] = [];
    const result = await store.events.accept({
      events,
      now: options.now ?? T0,
      dedupeWindowMs: options.windowMs ?? 60_000,
      then: (accepted) => {
        given.push(...accepted);
        return accepted.map((e) => followUp(e));
      },
    });
    return { ...result, given };
  }

  const followUp = (e: StoredEvent): NewQueueItem =>
    queued(`process-${e.id}`, {
      lane: "system",
      kind: "event",
      payload: { eventId: e.id },
      availableAt: e.receivedAt,
    });

  it("stores new events and commits the follow-ups `then` builds", async () => {
    const { store } = ctx;
    const e1 = event("e1", { user: { id: "u1" }, v: "2024-01-01.1", idempotencyKey: "key-1" });
    const e2 = event("e2", { name: "shop/order.paid", data: { nested: { list: [1, "x"] } } });
    const out = await accept(store, [e1, e2], { now: T0 });
    expect(out.results).toEqual([
      { id: e1.id, duplicate: false },
      { id: e2.id, duplicate: false },
    ]);
    expect(out.given).toEqual([e1, e2]);
    const expected = [unleased(followUp(e1), T0), unleased(followUp(e2), T0)];
    expect(out.enqueued).toEqual(expected);
    expect(await store.queue.get(QueueItemId("process-e1"))).toEqual(expected[0]);
    expect(await store.queue.get(QueueItemId("process-e2"))).toEqual(expected[1]);
    expect(await store.events.get(e1.id)).toEqual(e1);
    expect(await store.events.get(e2.id)).toEqual(e2);
    expect(await store.events.get(EventId("e-missing"))).toBeUndefined();
  });

  it("an event id seen before is a duplicate and is not stored again", async () => {
    const { store } = ctx;
    const first = event("e1", { data: { n: 1 } });
    await accept(store, [first]);
    const again = await accept(store, [event("e1", { data: { n: 2 } }), event("e2")], {
      now: T0 + 10,
    });
    expect(again.results).toEqual([
      { id: EventId("e1"), duplicate: true },
      { id: EventId("e2"), duplicate: false },
    ]);
    expect(again.given).toEqual([event("e2")]);
    expect(ids(again.enqueued)).toEqual(["process-e2"]);
    expect(await store.events.get(EventId("e1"))).toEqual(first);
    expect(ids(await store.events.list({ limit: 10 })).sort()).toEqual(["e1", "e2"]);
  });

  it("the same id twice in one batch is stored once", async () => {
    const { store } = ctx;
    const out = await accept(store, [event("e1"), event("e1", { data: { n: 2 } })]);
    expect(out.results).toEqual([
      { id: EventId("e1"), duplicate: false },
      { id: EventId("e1"), duplicate: true },
    ]);
    expect(out.given).toEqual([event("e1")]);
    expect(ids(out.enqueued)).toEqual(["process-e1"]);
    expect(await store.events.get(EventId("e1"))).toEqual(event("e1"));
  });

  it("an idempotency key within the window is a duplicate of the first event", async () => {
    const { store } = ctx;
    const first = event("e1", { idempotencyKey: "order-42" });
    await accept(store, [first], { now: T0, windowMs: 1_000 });
    const second = event("e2", { idempotencyKey: "order-42", receivedAt: T0 + 999 });
    const out = await accept(store, [second], { now: T0 + 999, windowMs: 1_000 });
    expect(out.results).toEqual([{ id: first.id, duplicate: true }]);
    expect(out.given).toEqual([]);
    expect(out.enqueued).toEqual([]);
    expect(await store.events.get(second.id)).toBeUndefined();
    expect(await store.queue.get(QueueItemId("process-e2"))).toBeUndefined();
  });

  it("the same idempotency key twice in one batch keeps the first", async () => {
    const { store } = ctx;
    const out = await accept(store, [
      event("e1", { idempotencyKey: "k" }),
      event("e2", { idempotencyKey: "k" }),
    ]);
    expect(out.results).toEqual([
      { id: EventId("e1"), duplicate: false },
      { id: EventId("e1"), duplicate: true },
    ]);
    expect(await store.events.get(EventId("e2"))).toBeUndefined();
  });

  it("after the window an idempotency key is accepted again and opens a new window", async () => {
    const { store } = ctx;
    await accept(store, [event("e1", { idempotencyKey: "k" })], { now: T0, windowMs: 1_000 });
    const later = event("e2", { idempotencyKey: "k", receivedAt: T0 + 1_500 });
    const out = await accept(store, [later], { now: T0 + 1_500, windowMs: 1_000 });
    expect(out.results).toEqual([{ id: later.id, duplicate: false }]);
    expect(out.given).toEqual([later]);
    expect(await store.events.get(later.id)).toEqual(later);
    const third = await accept(store, [event("e3", { idempotencyKey: "k" })], {
      now: T0 + 2_000,
      windowMs: 1_000,
    });
    expect(third.results).toEqual([{ id: later.id, duplicate: true }]);
  });

  it("a throwing `then` stores nothing (events and follow-ups are one transaction)", async () => {
    const { store } = ctx;
    await expect(
      store.events.accept({
        events: [event("e1", { idempotencyKey: "k" })],
        now: T0,
        dedupeWindowMs: 60_000,
        then: () => {
          throw new Error("trigger evaluation failed");
        },
      }),
    ).rejects.toThrow("trigger evaluation failed");
    expect(await store.events.get(EventId("e1"))).toBeUndefined();
    // The idempotency key was not claimed either: a retry is accepted.
    const retry = await accept(store, [event("e2", { idempotencyKey: "k" })]);
    expect(retry.results).toEqual([{ id: EventId("e2"), duplicate: false }]);
  });

  it("getMany returns found events in the order asked, skipping missing ids", async () => {
    const { store } = ctx;
    await accept(store, [event("e1"), event("e2"), event("e3")]);
    const found = await store.events.getMany([
      EventId("e3"),
      EventId("missing"),
      EventId("e1"),
      EventId("e2"),
    ]);
    expect(found).toEqual([event("e3"), event("e1"), event("e2")]);
    expect(await store.events.getMany([])).toEqual([]);
  });

  it("list filters by name and time, newest first, up to the limit", async () => {
    const { store } = ctx;
    const a = event("ea", { receivedAt: T0 });
    const b = event("eb", { name: "shop/order.paid", receivedAt: T0 + 10 });
    const c = event("ec", { receivedAt: T0 + 20 });
    const d = event("ed", { receivedAt: T0 + 30 });
    await accept(store, [a, b, c, d], { now: T0 + 30 });
    const list = async (filter: Parameters<Store["events"]["list"]>[0]) =>
      ids(await store.events.list(filter));
    expect(await store.events.list({ limit: 10 })).toEqual([d, c, b, a]);
    expect(await list({ name: "shop/order.created", limit: 10 })).toEqual(["ed", "ec", "ea"]);
    expect(await list({ name: "nope", limit: 10 })).toEqual([]);
    expect(await list({ before: T0 + 20, limit: 10 })).toEqual(["eb", "ea"]);
    expect(await list({ after: T0 + 5, limit: 10 })).toEqual(["ed", "ec", "eb"]);
    expect(
      await list({ name: "shop/order.created", after: T0 + 5, before: T0 + 30, limit: 10 }),
    ).toEqual(["ec"]);
    expect(await list({ limit: 2 })).toEqual(["ed", "ec"]);
    // Paging backwards with `before` = the last page's oldest receivedAt.
    expect(await list({ before: T0 + 20, limit: 2 })).toEqual(["eb", "ea"]);
  });
}

// ─── commit ──────────────────────────────────────────────────────────────────────────────────

function commitCases(ctx: Ctx): void {
  it("newRuns creates Queued runs linked to their events", async () => {
    const { store } = ctx;
    const r1 = newRun("run-1", { eventIds: [EventId("e1"), EventId("e2")] });
    const r2 = newRun("run-2", {
      functionId: FN_B,
      eventIds: [EventId("e1")],
      createdAt: T0 + 5,
      correlationId: "run-0.abc123",
    });
    expect(await commitOk(store, { newRuns: [r1, r2] })).toEqual([]);
    expect(await store.runs.get(r1.id)).toEqual(runRecord(r1));
    expect(await store.runs.get(r2.id)).toEqual(runRecord(r2));
    expect(await store.runs.byEvent(EventId("e1"))).toEqual([runRecord(r1), runRecord(r2)]);
    expect(await store.runs.byEvent(EventId("e2"))).toEqual([runRecord(r1)]);
    expect(await store.runs.byEvent(EventId("e3"))).toEqual([]);
  });

  it("a run patch with the current version applies and bumps the version", async () => {
    const { store } = ctx;
    const run = newRun("run-1");
    await commitOk(store, { newRuns: [run] });
    await commitOk(store, {
      run: {
        id: run.id,
        version: 0,
        patch: {
          status: RunStatus.Completed,
          output: { answer: 42, text: "ok" },
          endedAt: T0 + 50,
          requestVersion: 2,
          forceStepPlan: true,
        },
      },
    });
    const completed = runRecord(run, {
      status: RunStatus.Completed,
      output: { answer: 42, text: "ok" },
      endedAt: T0 + 50,
      requestVersion: 2,
      forceStepPlan: true,
      version: 1,
    });
    expect(await store.runs.get(run.id)).toEqual(completed);
    const error = { name: "Error", message: "boom", stack: "Error: boom\n    at x" };
    await commitOk(store, { run: { id: run.id, version: 1, patch: { error } } });
    expect(await store.runs.get(run.id)).toEqual({ ...completed, error, version: 2 });
    await commitOk(store, {
      run: { id: run.id, version: 2, patch: { error: null, forceStepPlan: false } },
    });
    expect(await store.runs.get(run.id)).toEqual({
      ...completed,
      forceStepPlan: false,
      version: 3,
    });
  });

  it("a stale run version is a conflict and applies nothing of the changeset", async () => {
    const { store } = ctx;
    const run = newRun("run-1");
    const item = queued("q1", { runId: run.id, lane: "system" });
    await commitOk(store, { newRuns: [run], enqueue: [item] });
    const held = await claimOne(store, { lane: "system", now: T0, owner: "w1" });
    await commitOk(store, { run: { id: run.id, version: 0, patch: {} } });
    const result = await store.commit({
      complete: leaseOf(held),
      run: { id: run.id, version: 0, patch: { status: RunStatus.Failed } },
      ...everythingElse(run.id),
    });
    expect(result).toEqual({ ok: false, reason: "conflict" });
    expect(await store.runs.get(run.id)).toEqual(runRecord(run, { version: 1 }));
    expect(await store.queue.get(held.id)).toEqual(held);
    await expectNothingElse(store, run.id);
  });

  it("a patch of a missing run is a conflict", async () => {
    const { store } = ctx;
    const result = await store.commit({
      run: { id: RunId("run-missing"), version: 0, patch: { status: RunStatus.Cancelled } },
      newRuns: [newRun("run-2")],
    });
    expect(result).toEqual({ ok: false, reason: "conflict" });
    expect(await store.runs.get(RunId("run-2"))).toBeUndefined();
  });

  it("complete deletes the item leased under that token", async () => {
    const { store } = ctx;
    await commitOk(store, { enqueue: [queued("q1")] });
    const held = await claimOne(store, { now: T0, owner: "w1" });
    expect(await commitOk(store, { complete: leaseOf(held) })).toEqual([]);
    expect(await store.queue.get(held.id)).toBeUndefined();
  });

  it("complete of an item not leased under that token is stale and applies nothing", async () => {
    const { store } = ctx;
    const run = newRun("run-1");
    await commitOk(store, {
      newRuns: [run],
      enqueue: [queued("q-free"), queued("q-held", { availableAt: T0 - 1 })],
    });
    const held = await claimOne(store, { now: T0, owner: "w1" });
    expect(held.id).toBe("q-held");
    const attempts = [
      { id: QueueItemId("q-free"), lease: "any-token" },
      { id: held.id, lease: "someone-elses-token" },
      { id: QueueItemId("q-missing"), lease: "any-token" },
    ];
    for (const complete of attempts) {
      const result = await store.commit({
        complete,
        run: { id: run.id, version: 0, patch: { status: RunStatus.Completed } },
        ...everythingElse(run.id),
      });
      expect(result).toEqual({ ok: false, reason: "stale" });
    }
    expect(await store.runs.get(run.id)).toEqual(runRecord(run));
    expect(await store.queue.get(held.id)).toEqual(held);
    expect((await store.queue.get(QueueItemId("q-free")))?.leaseOwner).toBeNull();
    await expectNothingElse(store, run.id);
  });

  it("holds requires the lease and keeps the item", async () => {
    const { store } = ctx;
    const run = newRun("run-1");
    await commitOk(store, { newRuns: [run], enqueue: [queued("q1", { runId: run.id })] });
    const held = await claimOne(store, { now: T0, owner: "w1" });
    const stale = await store.commit({
      holds: { id: held.id, lease: "wrong-token" },
      ...everythingElse(run.id),
    });
    expect(stale).toEqual({ ok: false, reason: "stale" });
    await expectNothingElse(store, run.id);
    await commitOk(store, {
      holds: leaseOf(held),
      history: [{ runId: run.id, at: T0 + 1, type: "StepStarted" }],
    });
    expect(await store.queue.get(held.id)).toEqual(held);
    expect((await store.runs.history(run.id)).map((h) => h.type)).toEqual(["StepStarted"]);
  });

  it("claimWait deletes the wait; a wait already gone is stale", async () => {
    const { store } = ctx;
    const run = newRun("run-1");
    await commitOk(store, { newRuns: [run], waits: [newWait("w1", { runId: run.id })] });
    await commitOk(store, {
      claimWait: "w1",
      history: [{ runId: run.id, at: T0 + 1, type: "WaitMatched" }],
    });
    expect(await store.waits.get("w1")).toBeUndefined();
    const again = await store.commit({
      claimWait: "w1",
      history: [{ runId: run.id, at: T0 + 2, type: "WaitMatched" }],
      enqueue: [queued("resume")],
    });
    expect(again).toEqual({ ok: false, reason: "stale" });
    expect((await store.runs.history(run.id)).map((h) => h.at)).toEqual([T0 + 1]);
    expect(await store.queue.get(QueueItemId("resume"))).toBeUndefined();
  });

  it("enqueue inserts unleased items and returns them", async () => {
    const { store } = ctx;
    const items = [
      queued("q1", { runId: RunId("run-1"), availableAt: T0 + 5, payload: { a: [1, 2] } }),
      queued("q2", { lane: "gateway", kind: "ai", availableAt: T0 + 6 }),
    ];
    const { value: enqueued, from, to } = await timed(() => commitOk(store, { enqueue: items }));
    expect(enqueued).toEqual(items.map((item) => unleased(item)));
    for (const item of enqueued) {
      expect(item.createdAt).toBeGreaterThanOrEqual(from);
      expect(item.createdAt).toBeLessThanOrEqual(to);
      expect(await store.queue.get(item.id)).toEqual(item);
    }
  });

  it("clearRuns deletes the run's queue items and waits, and no one else's", async () => {
    const { store } = ctx;
    const [a, b] = [RunId("run-a"), RunId("run-b")];
    await commitOk(store, {
      newRuns: [newRun(a), newRun(b)],
      enqueue: [
        queued("a1", { runId: a }),
        queued("a2", { runId: a, lane: "system", availableAt: T0 + 100 }),
        queued("b1", { runId: b, availableAt: T0 + 1 }),
      ],
      waits: [newWait("wa", { runId: a }), newWait("wb", { runId: b })],
    });
    await claimOne(store, { now: T0, owner: "w1" }); // a1 is leased: cleared all the same
    await commitOk(store, { clearRuns: [a] });
    expect(await store.queue.get(QueueItemId("a1"))).toBeUndefined();
    expect(await store.queue.get(QueueItemId("a2"))).toBeUndefined();
    expect(await store.queue.get(QueueItemId("b1"))).toBeDefined();
    expect(await store.waits.forRun(a)).toEqual([]);
    expect(ids(await store.waits.forRun(b))).toEqual(["wb"]);
    expect(await store.queue.countByLane()).toEqual({ sdk: 1 });
    expect(await store.runs.get(a)).toBeDefined();
  });

  it("internal events are stored like accepted ones", async () => {
    const { store } = ctx;
    const finished = event("e-fin", {
      name: "inngest/function.finished",
      data: { function_id: "shop-a", run_id: "run-1", result: { ok: true } },
    });
    await commitOk(store, { events: [finished] });
    expect(await store.events.get(finished.id)).toEqual(finished);
    expect(await store.events.list({ name: "inngest/function.finished", limit: 5 })).toEqual([
      finished,
    ]);
  });

  it("history entries are kept in the order written", async () => {
    const { store } = ctx;
    const run = RunId("run-1");
    await commitOk(store, {
      history: [
        { runId: run, at: T0 + 2, type: "FunctionScheduled" },
        {
          runId: run,
          at: T0 + 1,
          type: "StepCompleted",
          stepId: StepId("s1"),
          attempt: 0,
          data: { output: { n: 1 } },
        },
        { runId: RunId("run-other"), at: T0, type: "FunctionScheduled" },
      ],
    });
    await commitOk(store, {
      history: [{ runId: run, at: T0 + 3, type: "FunctionCompleted", data: "done" }],
    });
    const history = await store.runs.history(run);
    expect(history).toEqual([
      {
        id: anyNumber(),
        runId: run,
        at: T0 + 2,
        type: "FunctionScheduled",
        stepId: null,
        attempt: null,
        data: null,
      },
      {
        id: anyNumber(),
        runId: run,
        at: T0 + 1,
        type: "StepCompleted",
        stepId: "s1",
        attempt: 0,
        data: { output: { n: 1 } },
      },
      {
        id: anyNumber(),
        runId: run,
        at: T0 + 3,
        type: "FunctionCompleted",
        stepId: null,
        attempt: null,
        data: "done",
      },
    ]);
    const historyIds = history.map((h) => h.id);
    expect([...historyIds].sort((x, y) => x - y)).toEqual(historyIds);
    expect(new Set(historyIds).size).toBe(3);
    expect(await store.runs.history(RunId("run-none"))).toEqual([]);
  });
}

/** Writes of every other kind, to check that a refused changeset applied none of them. */
function everythingElse(runId: RunId): Changeset {
  return {
    newRuns: [newRun("run-new")],
    steps: [{ runId, stepId: StepId("s1"), status: "completed", outputJson: '"x"', attempts: 1 }],
    enqueue: [queued("q-new", { runId })],
    waits: [newWait("w-new", { runId })],
    events: [event("e-new")],
    history: [{ runId, at: T0 + 1, type: "StepCompleted" }],
  };
}

async function expectNothingElse(store: Store, runId: RunId): Promise<void> {
  expect(await store.runs.get(RunId("run-new"))).toBeUndefined();
  expect(await store.runs.steps(runId)).toEqual([]);
  expect(await store.queue.get(QueueItemId("q-new"))).toBeUndefined();
  expect(await store.waits.get("w-new")).toBeUndefined();
  expect(await store.events.get(EventId("e-new"))).toBeUndefined();
  expect(await store.runs.history(runId)).toEqual([]);
}

// ─── steps ───────────────────────────────────────────────────────────────────────────────────

function stepCases(ctx: Ctx): void {
  const run = RunId("run-1");
  const [s1, s2, s3, s4] = [StepId("s1"), StepId("s2"), StepId("s3"), StepId("s4")] as const;

  it("a pending step has no seq; memoizing appends it to the stack", async () => {
    const { store } = ctx;
    const { from, to } = await timed(() =>
      commitOk(store, {
        newRuns: [newRun(run)],
        steps: [
          {
            runId: run,
            stepId: s1,
            status: "running",
            op: "StepPlanned",
            displayName: "fetch order",
            userlandId: "fetch-order",
          },
        ],
      }),
    );
    const [pending] = await store.runs.steps(run);
    expect(pending).toEqual({
      runId: run,
      stepId: s1,
      seq: null,
      status: "running",
      op: "StepPlanned",
      displayName: "fetch order",
      userlandId: "fetch-order",
      race: false,
      outputJson: null,
      attempts: 0,
      createdAt: anyNumber(),
      endedAt: null,
      durationMs: null,
    });
    expect(pending?.createdAt).toBeGreaterThanOrEqual(from);
    expect(pending?.createdAt).toBeLessThanOrEqual(to);
    expect(await store.runs.memoized(run)).toEqual([]);

    // Exact JSON text, spacing included: it is replayed byte for byte (invariant 1).
    const text1 = '{"data": {"id" : 1, "items":[ "a", "b" ], "s": "\\u00e9 é 🦀", "n": 1.0}}';
    await commitOk(store, {
      steps: [
        {
          runId: run,
          stepId: s1,
          status: "completed",
          op: "StepRun",
          outputJson: text1,
          attempts: 1,
          endedAt: T0 + 40,
          durationMs: 12.5,
        },
      ],
    });
    expect((await store.runs.steps(run))[0]).toEqual({
      ...pending,
      seq: 0,
      status: "completed",
      op: "StepRun",
      outputJson: text1,
      attempts: 1,
      endedAt: T0 + 40,
      durationMs: 12.5,
    });
    await commitOk(store, {
      steps: [
        { runId: run, stepId: s2, status: "completed", outputJson: '{"data":null}' },
        { runId: run, stepId: s3, status: "completed", outputJson: '{"error":{"name":"E"}}' },
      ],
    });
    expect(await store.runs.memoized(run)).toEqual([
      { stepId: s1, outputJson: text1 },
      { stepId: s2, outputJson: '{"data":null}' },
      { stepId: s3, outputJson: '{"error":{"name":"E"}}' },
    ]);
    expect((await store.runs.steps(run)).map((s) => [s.stepId, s.seq])).toEqual([
      [s1, 0],
      [s2, 1],
      [s3, 2],
    ]);
  });

  it("steps lists memoized steps in stack order, then outstanding ones", async () => {
    const { store } = ctx;
    await commitOk(store, {
      steps: [
        { runId: run, stepId: s4, status: "running" },
        { runId: run, stepId: s3, status: "completed", outputJson: "3" },
      ],
    });
    await commitOk(store, {
      steps: [
        { runId: run, stepId: s1, status: "completed", outputJson: "1" },
        { runId: RunId("run-other"), stepId: s2, status: "completed", outputJson: "9" },
      ],
    });
    expect((await store.runs.steps(run)).map((s) => [s.stepId, s.seq])).toEqual([
      [s3, 0],
      [s1, 1],
      [s4, null],
    ]);
    expect(await store.runs.memoized(RunId("run-other"))).toEqual([
      { stepId: s2, outputJson: "9" },
    ]);
  });

  it("a step whose output is JSON null is memoized", async () => {
    const { store } = ctx;
    await commitOk(store, {
      steps: [{ runId: run, stepId: s1, status: "completed", outputJson: "null" }],
    });
    expect(await store.runs.memoized(run)).toEqual([{ stepId: s1, outputJson: "null" }]);
    expect((await store.runs.steps(run))[0]).toMatchObject({ seq: 0, outputJson: "null" });
  });

  it("a memoized step is never overwritten by a later save", async () => {
    const { store } = ctx;
    await commitOk(store, {
      steps: [
        { runId: run, stepId: s1, status: "completed", outputJson: '{"data":1}', attempts: 1 },
      ],
    });
    const [before] = await store.runs.steps(run);
    await commitOk(store, {
      steps: [
        {
          runId: run,
          stepId: s1,
          status: "failed",
          op: "StepError",
          outputJson: '{"data":2}',
          attempts: 1,
          endedAt: T0 + 99,
        },
      ],
    });
    expect(await store.runs.steps(run)).toEqual([before]);
    expect(await store.runs.memoized(run)).toEqual([{ stepId: s1, outputJson: '{"data":1}' }]);
    await commitOk(store, {
      steps: [{ runId: run, stepId: s2, status: "completed", outputJson: "2" }],
    });
    expect((await store.runs.steps(run)).map((s) => s.seq)).toEqual([0, 1]);
  });

  it("attempts accumulate across writes of an outstanding step", async () => {
    const { store } = ctx;
    const write = (patch: { attempts?: number; outputJson?: string }) =>
      commitOk(store, { steps: [{ runId: run, stepId: s1, status: "running", ...patch }] });
    await write({ attempts: 1 });
    await write({});
    await write({ attempts: 1 });
    expect((await store.runs.steps(run))[0]?.attempts).toBe(2);
    await write({ attempts: 1, outputJson: "true" });
    expect((await store.runs.steps(run))[0]).toMatchObject({ attempts: 3, seq: 0 });
  });

  it("dropPendingSteps forgets outstanding steps only", async () => {
    const { store } = ctx;
    await commitOk(store, {
      steps: [
        { runId: run, stepId: s1, status: "completed", outputJson: '"kept"' },
        { runId: run, stepId: s2, status: "running", attempts: 2 },
      ],
    });
    await commitOk(store, {
      dropPendingSteps: [
        { runId: run, stepId: s1 },
        { runId: run, stepId: s2 },
        { runId: run, stepId: s3 },
      ],
    });
    expect((await store.runs.steps(run)).map((s) => s.stepId)).toEqual([s1]);
    expect(await store.runs.memoized(run)).toEqual([{ stepId: s1, outputJson: '"kept"' }]);
    // Reported again, the dropped step starts over.
    await commitOk(store, { steps: [{ runId: run, stepId: s2, status: "running" }] });
    expect((await store.runs.steps(run))[1]).toMatchObject({ stepId: s2, attempts: 0, seq: null });
  });
}

// ─── waits written by commit ─────────────────────────────────────────────────────────────────

function commitWaitCases(ctx: Ctx): void {
  const run = RunId("run-1");

  async function acceptAll(store: Store, events: StoredEvent[]): Promise<void> {
    await store.events.accept({ events, now: T0 + 50, dedupeWindowMs: 0, then: () => [] });
  }

  const resume = (e: StoredEvent): NewQueueItem[] => [
    queued(`resume-${e.id}`, {
      lane: "system",
      kind: "resume",
      runId: run,
      payload: { eventId: e.id },
    }),
  ];

  it("a wait whose event already arrived is not stored; its follow-ups are enqueued", async () => {
    const { store } = ctx;
    const name = "shop/approval";
    await acceptAll(store, [
      event("e-old", { name, data: { id: "y" }, receivedAt: T0 - 10 }),
      event("e-a", { name, data: { id: "x" }, receivedAt: T0 + 5 }),
      event("e-other", { name: "shop/other", data: { id: "y" }, receivedAt: T0 + 6 }),
      event("e-b", { name, data: { id: "y" }, receivedAt: T0 + 7 }),
      event("e-c", { name, data: { id: "y" }, receivedAt: T0 + 8 }),
    ]);
    const offered: string[] = [];
    const enqueued = await commitOk(store, {
      newRuns: [newRun(run)],
      waits: [
        newWait("w1", {
          runId: run,
          key: name,
          lookback: {
            since: T0,
            matches: (e) => {
              offered.push(e.id);
              return e.data.id === "y";
            },
            then: resume,
          },
        }),
      ],
    });
    // Only events named `key` received since `since`, oldest first, up to the first match.
    expect(offered).toEqual(["e-a", "e-b"]);
    expect(enqueued).toEqual(resume(event("e-b")).map((item) => unleased(item)));
    expect(await store.queue.get(QueueItemId("resume-e-b"))).toEqual(enqueued[0]);
    expect(await store.waits.get("w1")).toBeUndefined();
    expect(await store.waits.forRun(run)).toEqual([]);
  });

  it("a wait with no matching earlier event is stored", async () => {
    const { store } = ctx;
    await acceptAll(store, [
      event("e-a", { name: "shop/approval", data: { id: "x" }, receivedAt: T0 + 5 }),
    ]);
    const wait = newWait("w1", {
      runId: run,
      condition: "async.data.id == 'y'",
      matchPath: "data.id",
      matchValue: '"y"',
      lookback: { since: T0, matches: (e) => e.data.id === "y", then: resume },
    });
    expect(await commitOk(store, { waits: [wait] })).toEqual([]);
    expect(await store.waits.get("w1")).toEqual(waitRecord(wait));
    expect(await store.queue.countByLane()).toEqual({});
  });

  // Regression (was a bug): the lookback reads at most 1000 events (`LIMIT 1000` in SqliteEvents.recent), so when
  // more than 1000 events of the name arrived since `since`, a later matching one is never
  // offered: the wait is stored and the event that resolves it is lost until the wait times out.
  // Expected: every event since `since` is offered; here the 1001st matches, so no wait is
  // stored and its follow-up is enqueued.
  it("lookback offers every event since `since`, however many arrived", async () => {
    const { store } = ctx;
    const name = "shop/approval";
    const noise = Array.from({ length: 1_000 }, (_, n) =>
      event(`e-${String(n).padStart(4, "0")}`, { name, data: { id: "x" }, receivedAt: T0 + 1 }),
    );
    await acceptAll(store, [
      ...noise,
      event("e-match", { name, data: { id: "y" }, receivedAt: T0 + 2 }),
    ]);
    const enqueued = await commitOk(store, {
      waits: [
        newWait("w1", {
          runId: run,
          key: name,
          lookback: { since: T0, matches: (e) => e.data.id === "y", then: resume },
        }),
      ],
    });
    expect(ids(enqueued)).toEqual(["resume-e-match"]);
    expect(await store.waits.get("w1")).toBeUndefined();
  });

  it("consumeWaits enqueues follow-ups only for waits that still existed", async () => {
    const { store } = ctx;
    await commitOk(store, { waits: [newWait("w1", { runId: run })] });
    const follow = queued("timeout-w1", { lane: "system", kind: "wait-timeout", runId: run });
    const enqueued = await commitOk(store, {
      consumeWaits: [
        { waitId: "w1", then: [follow] },
        { waitId: "w-gone", then: [queued("timeout-gone", { lane: "system" })] },
      ],
    });
    expect(enqueued).toEqual([unleased(follow)]);
    expect(await store.waits.get("w1")).toBeUndefined();
    expect(await store.queue.get(QueueItemId("timeout-gone"))).toBeUndefined();
    const again = await commitOk(store, {
      consumeWaits: [{ waitId: "w1", then: [queued("timeout-w1-again", { lane: "system" })] }],
    });
    expect(again).toEqual([]);
    expect(await store.queue.get(QueueItemId("timeout-w1-again"))).toBeUndefined();
    expect(await store.queue.countByLane()).toEqual({ system: 1 });
  });
}

// ─── queue ───────────────────────────────────────────────────────────────────────────────────

function queueCases(ctx: Ctx): void {
  const claim = (
    store: Store,
    input: Partial<Parameters<Store["queue"]["claim"]>[0]> & { now: number },
  ) => store.queue.claim({ lanes: ["sdk"], limit: 10, owner: "w1", leaseMs: 1_000, ...input });

  it("claim leases due items of the lanes in availableAt order, up to the limit", async () => {
    const { store } = ctx;
    const items = [
      queued("q1", { availableAt: T0 + 30 }),
      queued("q2", { availableAt: T0 + 10, runId: RunId("run-x"), payload: { p: [1] } }),
      queued("q3", { lane: "system", kind: "timer", availableAt: T0 + 20 }),
      queued("q4", { lane: "gateway", kind: "ai", availableAt: T0 + 5 }),
      queued("q5", { availableAt: T0 + 51 }),
    ];
    await commitOk(store, { enqueue: items });
    const first = await claim(store, { lanes: ["sdk", "system"], now: T0 + 50, limit: 2 });
    const leased = (index: number): QueueItem => ({
      ...unleased(items[index] ?? queued("none")),
      availableAt: T0 + 1_050,
      leaseOwner: "w1",
      leaseToken: anyString(),
    });
    expect(first).toEqual([leased(1), leased(2)]);
    for (const item of first) expect(await store.queue.get(item.id)).toEqual(item);
    expect(await claim(store, { lanes: ["sdk", "system"], now: T0 + 50 })).toEqual([leased(0)]);
    expect(await claim(store, { lanes: ["sdk", "system"], now: T0 + 50 })).toEqual([]);
    expect(ids(await claim(store, { lanes: ["gateway"], now: T0 + 50 }))).toEqual(["q4"]);
    // Due exactly at `now` counts as due.
    expect(ids(await claim(store, { now: T0 + 51 }))).toEqual(["q5"]);
  });

  it("claim skips items leased to anyone, and each lease has its own token", async () => {
    const { store } = ctx;
    await commitOk(store, { enqueue: [queued("q1"), queued("q2", { availableAt: T0 + 1 })] });
    const [a] = await claim(store, { now: T0, owner: "w1" });
    const [b] = await claim(store, { now: T0 + 1, owner: "w2" });
    expect([a?.id, b?.id]).toEqual(["q1", "q2"]);
    expect(a?.leaseToken).not.toBe(b?.leaseToken);
    expect(await claim(store, { now: T0 + 2, owner: "w3" })).toEqual([]);
  });

  it("claiming an sdk item of a Queued run marks the run Running", async () => {
    const { store } = ctx;
    const [r1, r2, r3] = [newRun("run-1"), newRun("run-2"), newRun("run-3")];
    await commitOk(store, {
      newRuns: [r1, r2, r3],
      enqueue: [
        queued("q1", { runId: r1.id }),
        queued("q2", { runId: r1.id, availableAt: T0 + 20 }),
        queued("q3", { runId: r2.id, lane: "system" }),
        queued("q4", { runId: r3.id, availableAt: T0 + 1 }),
      ],
    });
    await commitOk(store, {
      run: { id: r3.id, version: 0, patch: { status: RunStatus.Cancelled, endedAt: T0 } },
    });
    await claim(store, { lanes: ["sdk", "system"], now: T0 + 10 });
    expect(await store.runs.get(r1.id)).toEqual(
      runRecord(r1, { status: RunStatus.Running, startedAt: T0 + 10 }),
    );
    expect((await store.runs.get(r2.id))?.status).toBe(RunStatus.Queued);
    // A finished run is not brought back to life by a late item.
    expect(await store.runs.get(r3.id)).toEqual(
      runRecord(r3, { status: RunStatus.Cancelled, endedAt: T0, version: 1 }),
    );
    await claim(store, { now: T0 + 30 });
    expect((await store.runs.get(r1.id))?.startedAt).toBe(T0 + 10);
  });

  it("items enqueued with `claim` come back leased to that owner", async () => {
    const { store } = ctx;
    const run = newRun("run-1");
    const {
      value: [item],
      from,
      to,
    } = await timed(() =>
      commitOk(store, {
        newRuns: [run],
        enqueue: [
          queued("q1", {
            runId: run.id,
            availableAt: T0,
            dedupeKey: "k",
            claim: { owner: "w1", leaseMs: 5_000 },
          }),
        ],
      }),
    );
    expect(item).toMatchObject({ id: "q1", leaseOwner: "w1", leaseToken: expect.any(String) });
    expect(item?.availableAt).toBeGreaterThanOrEqual(from + 5_000);
    expect(item?.availableAt).toBeLessThanOrEqual(to + 5_000);
    expect(await store.queue.get(QueueItemId("q1"))).toEqual(item);
    expect(await claim(store, { now: from + 4_999, owner: "w2" })).toEqual([]);
    const started = await store.runs.get(run.id);
    expect(started?.status).toBe(RunStatus.Running);
    expect(started?.startedAt).toBeGreaterThanOrEqual(from);
    expect(started?.startedAt).toBeLessThanOrEqual(to);
    if (!item) return;
    await commitOk(store, { complete: leaseOf(item) });
    expect(await store.queue.get(item.id)).toBeUndefined();
  });

  it("a dedupeKey blocks a second unclaimed item until the first is claimed", async () => {
    const { store } = ctx;
    expect(
      ids(await commitOk(store, { enqueue: [queued("d1", { dedupeKey: "run-1:discovery" })] })),
    ).toEqual(["d1"]);
    expect(
      await commitOk(store, { enqueue: [queued("d2", { dedupeKey: "run-1:discovery" })] }),
    ).toEqual([]);
    expect(await store.queue.get(QueueItemId("d2"))).toBeUndefined();
    expect(ids(await claim(store, { now: T0 }))).toEqual(["d1"]);
    const afterClaim = await commitOk(store, {
      enqueue: [
        queued("d3", { dedupeKey: "run-1:discovery" }),
        queued("d4", { dedupeKey: "run-1:discovery" }),
        queued("d5", { dedupeKey: "other" }),
      ],
    });
    expect(ids(afterClaim)).toEqual(["d3", "d5"]);
    expect(await store.queue.countByLane()).toEqual({ sdk: 3 });
  });

  // Regression (was a bug): claim clears the item's dedupeKey, so an item given back by `release` (or by
  // reapExpired / recover) is unclaimed again but no longer blocks its key: a second item with
  // the same key is inserted and two are pending (e.g. two discovery requests for one run).
  // Expected: d2 is not inserted while the released d1 is unclaimed; SQLite inserts it.
  it("a released item still blocks its dedupeKey", async () => {
    const { store } = ctx;
    await commitOk(store, { enqueue: [queued("d1", { dedupeKey: "run-1:discovery" })] });
    await claim(store, { now: T0 });
    await store.queue.release({ ids: [QueueItemId("d1")], owner: "w1", at: T0 + 10 });
    expect(
      await commitOk(store, { enqueue: [queued("d2", { dedupeKey: "run-1:discovery" })] }),
    ).toEqual([]);
    expect(await store.queue.countByLane()).toEqual({ sdk: 1 });
  });

  it("extend moves held leases and returns the ids no longer held", async () => {
    const { store } = ctx;
    await commitOk(store, {
      enqueue: [
        queued("q1"),
        queued("q2"),
        queued("q3", { availableAt: T0 + 1 }),
        queued("q4", { availableAt: T0 + 9 }),
      ],
    });
    await claim(store, { now: T0, owner: "w1" });
    const [other] = await claim(store, { now: T0 + 1, owner: "w2" });
    const lost = await store.queue.extend({
      ids: ["q1", "q2", "q3", "q4", "q-missing"].map(QueueItemId),
      owner: "w1",
      until: T0 + 5_000,
    });
    expect([...lost].sort()).toEqual(["q-missing", "q3", "q4"]);
    expect(await store.queue.get(QueueItemId("q1"))).toMatchObject({
      availableAt: T0 + 5_000,
      leaseOwner: "w1",
    });
    expect(await store.queue.get(QueueItemId("q2"))).toMatchObject({
      availableAt: T0 + 5_000,
      leaseOwner: "w1",
    });
    expect(await store.queue.get(QueueItemId("q3"))).toEqual(other);
    expect(await store.queue.get(QueueItemId("q4"))).toMatchObject({
      availableAt: T0 + 9,
      leaseOwner: null,
    });
  });

  it("release gives items back, claimable again at the given time", async () => {
    const { store } = ctx;
    await commitOk(store, { enqueue: [queued("q1")] });
    const [held] = await claim(store, { now: T0, owner: "w1" });
    await store.queue.release({ ids: [QueueItemId("q1")], owner: "w2", at: T0 });
    expect(await store.queue.get(QueueItemId("q1"))).toEqual(held);
    await store.queue.release({ ids: [QueueItemId("q1")], owner: "w1", at: T0 + 200 });
    expect(await store.queue.get(QueueItemId("q1"))).toMatchObject({
      availableAt: T0 + 200,
      leaseOwner: null,
      leaseToken: null,
    });
    expect(await claim(store, { now: T0 + 199, owner: "w2" })).toEqual([]);
    expect(ids(await claim(store, { now: T0 + 200, owner: "w2" }))).toEqual(["q1"]);
    if (held)
      expect(await store.commit({ complete: leaseOf(held) })).toEqual({
        ok: false,
        reason: "stale",
      });
  });

  it("nextDueAt is the earliest unleased availableAt of the lanes", async () => {
    const { store } = ctx;
    expect(await store.queue.nextDueAt(["sdk", "system"])).toBeUndefined();
    await commitOk(store, {
      enqueue: [
        queued("q1", { availableAt: T0 + 10 }),
        queued("q2", { availableAt: T0 + 50 }),
        queued("q3", { lane: "system", availableAt: T0 + 5 }),
      ],
    });
    expect(await store.queue.nextDueAt(["sdk"])).toBe(T0 + 10);
    // Leased until T0 + 20 (< T0 + 50): still ignored.
    await claim(store, { now: T0 + 10, limit: 1, leaseMs: 10 });
    expect(await store.queue.nextDueAt(["sdk"])).toBe(T0 + 50);
    expect(await store.queue.nextDueAt(["system"])).toBe(T0 + 5);
    expect(await store.queue.nextDueAt(["sdk", "system"])).toBe(T0 + 5);
    expect(await store.queue.nextDueAt(["gateway"])).toBeUndefined();
  });

  it("reapExpired makes expired leases claimable and voids their tokens", async () => {
    const { store } = ctx;
    await commitOk(store, { enqueue: [queued("q1"), queued("q2", { availableAt: T0 + 1 })] });
    const [short] = await claim(store, { now: T0, limit: 1, owner: "w1", leaseMs: 100 });
    await claim(store, { now: T0 + 1, owner: "w1", leaseMs: 1_000 });
    expect(await store.queue.reapExpired(T0 + 500)).toBe(1);
    expect(await store.queue.get(QueueItemId("q1"))).toMatchObject({
      leaseOwner: null,
      leaseToken: null,
    });
    expect(await store.queue.get(QueueItemId("q2"))).toMatchObject({
      leaseOwner: "w1",
      availableAt: T0 + 1_001,
    });
    const [again] = await claim(store, { now: T0 + 500, owner: "w2" });
    expect(again?.id).toBe("q1");
    expect(again?.leaseToken).not.toBe(short?.leaseToken);
    if (!short || !again) return;
    expect(await store.commit({ complete: leaseOf(short) })).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(await store.commit({ complete: leaseOf(again) })).toEqual({
      ok: true,
      enqueued: [],
      woken: [],
    });
    expect(await store.queue.reapExpired(T0 + 500)).toBe(0);
  });

  it("countByLane counts every item per lane", async () => {
    const { store } = ctx;
    expect(await store.queue.countByLane()).toEqual({});
    await commitOk(store, {
      enqueue: [queued("q1"), queued("q2"), queued("q3", { lane: "system" })],
    });
    await claim(store, { now: T0, limit: 1 });
    expect(await store.queue.countByLane()).toEqual({ sdk: 2, system: 1 });
    expect(await store.queue.get(QueueItemId("q-missing"))).toBeUndefined();
  });
}

// ─── runs ────────────────────────────────────────────────────────────────────────────────────

function runCases(ctx: Ctx): void {
  it("get and loadState of an unknown run are undefined", async () => {
    const { store } = ctx;
    expect(await store.runs.get(RunId("run-missing"))).toBeUndefined();
    expect(await store.runs.loadState(RunId("run-missing"))).toBeUndefined();
    expect(await store.runs.memoized(RunId("run-missing"))).toEqual([]);
    expect(await store.runs.steps(RunId("run-missing"))).toEqual([]);
  });

  it("loadState returns the run and its steps' statuses and race flags", async () => {
    const { store } = ctx;
    const run = newRun("run-1", { eventIds: [EventId("e1")] });
    await commitOk(store, {
      newRuns: [run],
      steps: [
        { runId: run.id, stepId: StepId("s1"), status: "completed", outputJson: "1" },
        { runId: run.id, stepId: StepId("s2"), status: "running", race: true },
        { runId: run.id, stepId: StepId("s3"), status: "planned" },
        { runId: RunId("run-2"), stepId: StepId("s9"), status: "running" },
      ],
    });
    const state = await store.runs.loadState(run.id);
    expect(state?.run).toEqual(runRecord(run));
    const steps = [...(state?.steps ?? [])].sort((a, b) => a.stepId.localeCompare(b.stepId));
    expect(steps).toEqual([
      { stepId: "s1", status: "completed", race: false },
      { stepId: "s2", status: "running", race: true },
      { stepId: "s3", status: "planned", race: false },
    ]);
  });

  it("list filters runs and pages newest first", async () => {
    const { store } = ctx;
    const run5 = newRun("run-5", { createdAt: T0 + 40 });
    const runs = [
      newRun("run-1", { createdAt: T0 }),
      newRun("run-2", { createdAt: T0 + 10, functionId: FN_B }),
      newRun("run-3", { createdAt: T0 + 20 }),
      newRun("run-4", { createdAt: T0 + 30, functionId: FN_B }),
      run5,
    ];
    await commitOk(store, { newRuns: runs });
    const finish = (id: string, status: RunStatus) =>
      commitOk(store, { run: { id: RunId(id), version: 0, patch: { status } } });
    await finish("run-2", RunStatus.Completed);
    await finish("run-3", RunStatus.Failed);
    await finish("run-5", RunStatus.Completed);
    const list = async (filter: Partial<Parameters<Store["runs"]["list"]>[0]>) =>
      ids(await store.runs.list({ limit: 10, ...filter }));

    expect(await list({})).toEqual(["run-5", "run-4", "run-3", "run-2", "run-1"]);
    expect((await store.runs.list({ limit: 1 }))[0]).toEqual(
      runRecord(run5, { status: RunStatus.Completed, version: 1 }),
    );
    expect(await list({ functionIds: [FN_B] })).toEqual(["run-4", "run-2"]);
    expect(await list({ functionIds: [FN_A, FN_B] })).toHaveLength(5);
    expect(await list({ statuses: [RunStatus.Completed, RunStatus.Failed] })).toEqual([
      "run-5",
      "run-3",
      "run-2",
    ]);
    expect(await list({ statuses: [RunStatus.Queued], functionIds: [FN_A] })).toEqual(["run-1"]);
    // `from` is inclusive, `until` exclusive.
    expect(await list({ from: T0 + 10, until: T0 + 30 })).toEqual(["run-3", "run-2"]);
    expect(await list({ beforeId: RunId("run-4") })).toEqual(["run-3", "run-2", "run-1"]);
    expect(await list({ limit: 2 })).toEqual(["run-5", "run-4"]);
    expect(await list({ limit: 2, beforeId: RunId("run-4") })).toEqual(["run-3", "run-2"]);
    expect(await list({ statuses: [RunStatus.Cancelled] })).toEqual([]);
  });
}

// ─── waits ───────────────────────────────────────────────────────────────────────────────────

function waitCases(ctx: Ctx): void {
  const [runA, runB] = [RunId("run-a"), RunId("run-b")];
  const key = "shop/approval";
  const waits = [
    newWait("w1", { runId: runA, key, matchPath: "data.id", matchValue: '"x"', createdAt: T0 }),
    newWait("w2", { runId: runB, key, matchPath: "data.id", matchValue: '"y"', createdAt: T0 + 1 }),
    newWait("w3", {
      runId: runA,
      key,
      condition: "async.data.amount > 10",
      createdAt: T0 + 2,
    }),
    newWait("w4", {
      runId: runB,
      key,
      matchPath: "data.user",
      matchValue: '"u1"',
      createdAt: T0 + 3,
    }),
    newWait("w5", { runId: runA, key, kind: "cancel", matchPath: "data.id", matchValue: '"x"' }),
    newWait("w6", { runId: runA, key: "shop/other", matchPath: "data.id", matchValue: '"x"' }),
  ];
  const records = waits.map(waitRecord);
  const pick = (...wanted: string[]) => records.filter((w) => wanted.includes(w.id));

  beforeEach(async () => {
    await commitOk(ctx.store, { waits });
  });

  it("matchPaths lists the distinct index paths of a key, null for unindexed waits", async () => {
    const { store } = ctx;
    const paths = await store.waits.matchPaths("event", key);
    expect([...paths].sort((a, b) => String(a).localeCompare(String(b)))).toEqual([
      "data.id",
      "data.user",
      null,
    ]);
    expect(await store.waits.matchPaths("cancel", key)).toEqual(["data.id"]);
    expect(await store.waits.matchPaths("signal", key)).toEqual([]);
  });

  it("candidates are index matches plus every unindexed wait of the key", async () => {
    const { store } = ctx;
    const found = await store.waits.candidates({
      kind: "event",
      key,
      probes: [
        { path: "data.id", value: '"x"' },
        { path: "data.user", value: '"u2"' },
      ],
    });
    expect(byId(found)).toEqual(pick("w1", "w3"));
    expect(await store.waits.candidates({ kind: "event", key, probes: [] })).toEqual(pick("w3"));
    expect(
      byId(
        await store.waits.candidates({
          kind: "event",
          key,
          probes: [{ path: "data.user", value: '"u1"' }],
        }),
      ),
    ).toEqual(pick("w3", "w4"));
    expect(
      await store.waits.candidates({
        kind: "cancel",
        key,
        probes: [{ path: "data.id", value: '"y"' }],
      }),
    ).toEqual([]);
  });

  it("byKey, forRun and get return stored waits", async () => {
    const { store } = ctx;
    expect(byId(await store.waits.byKey("event", key))).toEqual(pick("w1", "w2", "w3", "w4"));
    expect(await store.waits.byKey("cancel", key)).toEqual(pick("w5"));
    expect(await store.waits.byKey("event", "nope")).toEqual([]);
    expect(byId(await store.waits.forRun(runA))).toEqual(pick("w1", "w3", "w5", "w6"));
    expect(byId(await store.waits.forRun(runB))).toEqual(pick("w2", "w4"));
    expect(await store.waits.get("w4")).toEqual(records[3]);
    expect(await store.waits.get("w-missing")).toBeUndefined();
  });
}

// ─── concurrency ─────────────────────────────────────────────────────────────────────────────

/** Races that a shared backend (several nodes, one database) must settle like a single one. */
function concurrencyCases(ctx: Ctx): void {
  it("concurrent claims never hand out the same item twice", async () => {
    const { store } = ctx;
    const items = Array.from({ length: 20 }, (_, n) =>
      queued(`q-${String(n).padStart(2, "0")}`, { availableAt: T0 + n }),
    );
    await commitOk(store, { enqueue: items });
    const batches = await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        store.queue.claim({
          lanes: ["sdk"],
          now: T0 + 100,
          limit: 5,
          owner: `w${n}`,
          leaseMs: 1_000,
        }),
      ),
    );
    const claimed = batches.flat().map((item) => item.id);
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed).size).toBe(20);
    for (const [n, batch] of batches.entries()) {
      for (const item of batch) expect((await store.queue.get(item.id))?.leaseOwner).toBe(`w${n}`);
    }
  });

  it("of two commits completing the same lease, exactly one succeeds", async () => {
    const { store } = ctx;
    await commitOk(store, { enqueue: [queued("q1")] });
    const [held] = await store.queue.claim({
      lanes: ["sdk"],
      now: T0,
      limit: 1,
      owner: "w1",
      leaseMs: 1_000,
    });
    if (!held) throw new Error("expected q1 to be claimed");
    const results = await Promise.all(
      ["first", "second"].map((type) =>
        store.commit({
          complete: leaseOf(held),
          history: [{ runId: RunId("run-1"), at: T0, type }],
        }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, reason: "stale" }]);
    expect(await store.runs.history(RunId("run-1"))).toHaveLength(1);
  });

  it("of two patches of the same run version, exactly one succeeds", async () => {
    const { store } = ctx;
    const run = newRun("run-1");
    await commitOk(store, { newRuns: [run] });
    const results = await Promise.all(
      [RunStatus.Completed, RunStatus.Cancelled].map((status) =>
        store.commit({ run: { id: run.id, version: 0, patch: { status } } }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, reason: "conflict" }]);
    const winner = results[0]?.ok ? RunStatus.Completed : RunStatus.Cancelled;
    expect(await store.runs.get(run.id)).toEqual(runRecord(run, { status: winner, version: 1 }));
  });

  it("steps memoized by concurrent commits get distinct stack positions", async () => {
    const { store } = ctx;
    const run = RunId("run-1");
    const stepIds = Array.from({ length: 10 }, (_, n) => StepId(`s${n}`));
    await Promise.all(
      stepIds.map((stepId) =>
        commitOk(store, {
          steps: [{ runId: run, stepId, status: "completed", outputJson: `"${stepId}"` }],
        }),
      ),
    );
    const memoized = await store.runs.memoized(run);
    expect(memoized.map((step) => step.stepId).sort()).toEqual([...stepIds].sort());
    expect((await store.runs.steps(run)).map((step) => step.seq)).toEqual(stepIds.map((_, n) => n));
  });
}

// ─── flow control ────────────────────────────────────────────────────────────────────────────

function flowCases(ctx: Ctx): void {
  const flow = (patch: Partial<FlowWrite> = {}): FlowWrite => ({
    fnId: "app-a",
    kind: "throttle",
    key: "k",
    at: T0,
    expect: null,
    value: { tat: 1 },
    expiresAt: T0 + 10_000,
    ...patch,
  });

  it("flow state is written guarded by version; a stale version applies nothing", async () => {
    const { store } = ctx;
    await commitOk(store, { flow: [flow()] });
    expect(await store.flow.get({ fnId: "app-a", kind: "throttle", key: "k", now: T0 })).toEqual({
      value: { tat: 1 },
      version: 1,
      expiresAt: T0 + 10_000,
    });
    // Creating again as if absent: conflict, and the run of the same changeset is not created.
    expect(
      await store.commit({ flow: [flow({ value: { tat: 2 } })], newRuns: [newRun("run-x")] }),
    ).toEqual({
      ok: false,
      reason: "conflict",
    });
    expect(await store.runs.get(RunId("run-x"))).toBeUndefined();
    await commitOk(store, { flow: [flow({ expect: 1, value: { tat: 3 } })] });
    expect(
      (await store.flow.get({ fnId: "app-a", kind: "throttle", key: "k", now: T0 }))?.value,
    ).toEqual({ tat: 3 });
    await commitOk(store, { flow: [flow({ expect: 2, value: undefined })] });
    expect(
      await store.flow.get({ fnId: "app-a", kind: "throttle", key: "k", now: T0 }),
    ).toBeUndefined();
  });

  it("expired flow state reads as absent and may be created anew", async () => {
    const { store } = ctx;
    await commitOk(store, { flow: [flow({ expiresAt: T0 + 5 })] });
    expect(
      await store.flow.get({ fnId: "app-a", kind: "throttle", key: "k", now: T0 + 5 }),
    ).toBeUndefined();
    // Expired by the time of the write: it counts as absent.
    await commitOk(store, { flow: [flow({ at: T0 + 5, expect: null, value: { tat: 9 } })] });
    expect(
      (await store.flow.get({ fnId: "app-a", kind: "throttle", key: "k", now: T0 }))?.value,
    ).toEqual({ tat: 9 });
    expect(await store.flow.sweep(Number.MAX_SAFE_INTEGER)).toBe(1);
  });

  it("an item whose concurrency key is full is parked until a slot frees", async () => {
    const { store } = ctx;
    const limit = [{ key: "fn:app-a:*", limit: 1 }];
    await commitOk(store, {
      enqueue: [
        queued("c1", { concurrency: limit }),
        queued("c2", { concurrency: limit, availableAt: T0 + 1 }),
        queued("free", { availableAt: T0 + 2 }),
      ],
    });
    const first = await store.queue.claim({
      lanes: ["sdk"],
      now: T0 + 10,
      limit: 10,
      owner: "w1",
      leaseMs: 1_000,
    });
    expect(first.map((item) => item.id)).toEqual(["c1", "free"]);
    expect(first[0]?.concurrency).toEqual(limit);
    // c2 waits outside the lane: nothing to claim, and it is not due either.
    expect(
      await store.queue.claim({
        lanes: ["sdk"],
        now: T0 + 20,
        limit: 10,
        owner: "w1",
        leaseMs: 1_000,
      }),
    ).toEqual([]);
    expect(await store.queue.nextDueAt(["sdk"])).toBeUndefined();
    const done = await store.commit({ complete: leaseOf(first[0]!) });
    expect(done).toEqual({ ok: true, enqueued: [], woken: ["sdk"] });
    const next = await store.queue.claim({
      lanes: ["sdk"],
      now: T0 + 30,
      limit: 10,
      owner: "w1",
      leaseMs: 1_000,
    });
    expect(next.map((item) => item.id)).toEqual(["c2"]);
  });

  it("an item enqueued leased is parked instead when its key is full", async () => {
    const { store } = ctx;
    const limit = [{ key: "acct:shared", limit: 1 }];
    const [held] = await commitOk(store, {
      enqueue: [queued("h1", { concurrency: limit, claim: { owner: "w1", leaseMs: 1_000 } })],
    });
    expect(held?.leaseOwner).toBe("w1");
    const second = await commitOk(store, {
      enqueue: [queued("h2", { concurrency: limit, claim: { owner: "w1", leaseMs: 1_000 } })],
    });
    expect(second).toEqual([]);
    await store.queue.release({ ids: [QueueItemId("h1")], owner: "w1", at: T0 + 1_000 });
    const claimed = await store.queue.claim({
      lanes: ["sdk"],
      now: T0 + 5,
      limit: 10,
      owner: "w2",
      leaseMs: 1_000,
    });
    expect(claimed.map((item) => item.id)).toEqual(["h2"]);
  });

  it("priority orders due items without making any item due earlier", async () => {
    const { store } = ctx;
    await commitOk(store, {
      enqueue: [
        queued("low", { availableAt: T0, priorityMs: -60_000 }),
        queued("plain", { availableAt: T0 + 1 }),
        queued("high", { availableAt: T0 + 2, priorityMs: 60_000 }),
        queued("future-high", { availableAt: T0 + 100_000, priorityMs: 600_000 }),
      ],
    });
    const claimed = await store.queue.claim({
      lanes: ["sdk"],
      now: T0 + 10,
      limit: 10,
      owner: "w1",
      leaseMs: 1_000,
    });
    expect(claimed.map((item) => item.id)).toEqual(["high", "plain", "low"]);
  });

  it("reschedule moves the waiting twin instead of adding a second item", async () => {
    const { store } = ctx;
    const timer = (at: number, payload: unknown) =>
      queued(`t-${at}`, {
        lane: "system",
        kind: "debounce",
        availableAt: at,
        payload,
        dedupeKey: "debounce:k",
        reschedule: true,
      });
    await commitOk(store, { enqueue: [timer(T0 + 100, { v: 1 })] });
    await commitOk(store, { enqueue: [timer(T0 + 900, { v: 2 })] });
    expect(await store.queue.countByLane()).toEqual({ system: 1 });
    expect(await store.queue.nextDueAt(["system"])).toBe(T0 + 900);
    const [fired] = await store.queue.claim({
      lanes: ["system"],
      now: T0 + 1_000,
      limit: 5,
      owner: "w",
      leaseMs: 1_000,
    });
    expect(fired?.payload).toEqual({ v: 2 });
  });

  it("superseding a signal stops its earlier waits from matching", async () => {
    const { store } = ctx;
    await commitOk(store, { waits: [newWait("s1", { kind: "signal", key: "sig" })] });
    await commitOk(store, {
      supersedeSignals: ["sig"],
      waits: [newWait("s2", { kind: "signal", key: "sig", runId: RunId("run-2") })],
    });
    expect((await store.waits.byKey("signal", "sig")).map((wait) => wait.id)).toEqual(["s2"]);
    expect(await store.waits.get("s1")).toBeDefined();
  });
}

// ─── dashboard sessions ──────────────────────────────────────────────────────────────────────

function sessionCases(ctx: Ctx): void {
  it("a session is valid until it expires or is revoked, and sweeping drops expired ones", async () => {
    const { sessions } = ctx.store;
    await sessions.create({ digest: "d1", createdAt: T0, expiresAt: T0 + 100 });
    await sessions.create({ digest: "d2", createdAt: T0, expiresAt: T0 + 10 });
    expect(await sessions.valid("d1", T0 + 50)).toBe(true);
    expect(await sessions.valid("d1", T0 + 100)).toBe(false);
    expect(await sessions.valid("nope", T0)).toBe(false);
    expect(await sessions.revoke("d1")).toBe(true);
    expect(await sessions.revoke("d1")).toBe(false);
    expect(await sessions.valid("d1", T0 + 50)).toBe(false);
    expect(await sessions.valid("d2", T0 + 5)).toBe(true);
    expect(await sessions.sweep(T0 + 10)).toBe(1);
    expect(await sessions.valid("d2", T0 + 5)).toBe(false);
  });
}
