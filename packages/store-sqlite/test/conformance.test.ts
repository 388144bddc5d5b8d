import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppId, EventId, FunctionId, QueueItemId, RunId, StepId } from "@ingot/protocol";
import type { Changeset, CommitResult, NewQueueItem, NewWait, QueueItem } from "@ingot/store";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineStoreConformance } from "../../store/test/conformance.js";
import { MIGRATIONS, SqliteStore } from "../src/index.js";

const T0 = 1_700_000_000_000;

/** Temp directories and stores opened by a test, removed after it. */
const opened: { dir: string; stores: SqliteStore[] }[] = [];

function tempDb(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "ingot-store-sqlite-"));
  opened.push({ dir, stores: [] });
  return { dir, path: join(dir, "ingot.db") };
}

function openAt(path: string): SqliteStore {
  const store = new SqliteStore({ path });
  opened.find((entry) => path.startsWith(entry.dir))?.stores.push(store);
  return store;
}

async function closeQuietly(store: SqliteStore): Promise<void> {
  try {
    await store.close();
  } catch {
    // Already closed by the test.
  }
}

afterEach(async () => {
  vi.restoreAllMocks();
  for (const { dir, stores } of opened.splice(0)) {
    for (const store of stores) await closeQuietly(store);
    rmSync(dir, { recursive: true, force: true });
  }
});

defineStoreConformance("sqlite", () => {
  const { dir, path } = tempDb();
  const store = openAt(path);
  return Promise.resolve({
    store,
    cleanup: async () => {
      await closeQuietly(store);
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

const item = (id: string, patch: Partial<NewQueueItem> = {}): NewQueueItem => ({
  id: QueueItemId(id),
  lane: "sdk",
  kind: "execute",
  runId: null,
  payload: { id },
  availableAt: T0,
  ...patch,
});

const wait = (id: string, runId: string): NewWait => ({
  id,
  runId: RunId(runId),
  stepId: StepId("s-wait"),
  kind: "event",
  key: "shop/approval",
  condition: null,
  matchPath: null,
  matchValue: null,
  expiresAt: T0 + 60_000,
  createdAt: T0,
});

const newRun = (id: string): NonNullable<Changeset["newRuns"]>[number] => ({
  id: RunId(id),
  functionId: FunctionId("shop-a"),
  appId: AppId("shop"),
  eventIds: [],
  createdAt: T0,
});

/** Counts the transactions the store opens while `fn` runs. */
async function countTransactions<T>(fn: () => Promise<T>): Promise<{ value: T; begins: number }> {
  // The committer runs BEGIN as a prepared statement; count the runs of any statement whose
  // source starts a transaction.
  const statement = Object.getPrototypeOf(new Database(":memory:").prepare("SELECT 1")) as {
    run: (...args: unknown[]) => unknown;
  };
  const run = vi.spyOn(statement, "run");
  try {
    const value = await fn();
    const begins = run.mock.contexts.filter((context) =>
      /^\s*BEGIN\b/i.test((context as { source: string }).source),
    ).length;
    return { value, begins };
  } finally {
    run.mockRestore();
  }
}

describe("SQLite store: group commit", () => {
  it("commits issued in one tick land in one transaction", async () => {
    const store = openAt(tempDb().path);
    const { value: results, begins } = await countTransactions(() =>
      Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          store.commit({
            newRuns: [newRun(`run-${n}`)],
            enqueue: [item(`q-${n}`, { runId: RunId(`run-${n}`) })],
          }),
        ),
      ),
    );
    expect(begins).toBe(1);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await store.queue.countByLane()).toEqual({ sdk: 50 });
    expect((await store.runs.list({ limit: 100 })).length).toBe(50);
  });

  it("a failing commit in the batch undoes only itself", async () => {
    const store = openAt(tempDb().path);
    await store.commit({ newRuns: [newRun("run-1")], waits: [wait("w-taken", "run-1")] });
    const { value: settled, begins } = await countTransactions(() =>
      Promise.allSettled([
        store.commit({ newRuns: [newRun("run-a")], enqueue: [item("q-a")] }),
        // Stale: nothing of it is applied, and it is reported, not thrown.
        store.commit({
          complete: { id: QueueItemId("q-none"), lease: "t" },
          newRuns: [newRun("run-b")],
        }),
        // Throws half-way (duplicate wait id), after its run was inserted.
        store.commit({ newRuns: [newRun("run-c")], waits: [wait("w-taken", "run-c")] }),
        store.commit({
          history: [{ runId: RunId("run-a"), at: T0, type: "FunctionScheduled" }],
        }),
      ]),
    );
    expect(begins).toBe(1);
    const [a, b, c, d] = settled;
    expect(a).toEqual({
      status: "fulfilled",
      value: { ok: true, enqueued: [expect.anything()], woken: [] },
    });
    expect(b).toEqual({ status: "fulfilled", value: { ok: false, reason: "stale" } });
    expect(c?.status).toBe("rejected");
    expect(d).toEqual({ status: "fulfilled", value: { ok: true, enqueued: [], woken: [] } });
    expect(await store.runs.get(RunId("run-a"))).toBeDefined();
    expect(await store.queue.get(QueueItemId("q-a"))).toBeDefined();
    expect(await store.runs.get(RunId("run-b"))).toBeUndefined();
    expect(await store.runs.get(RunId("run-c"))).toBeUndefined();
    expect((await store.waits.get("w-taken"))?.runId).toBe("run-1");
    expect((await store.runs.history(RunId("run-a"))).map((h) => h.type)).toEqual([
      "FunctionScheduled",
    ]);
  });

  it("event accepts, claims and commits of one tick share the transaction", async () => {
    const store = openAt(tempDb().path);
    await store.commit({ enqueue: [item("q-1")] });
    const { value, begins } = await countTransactions(() =>
      Promise.all([
        store.events.accept({
          events: [{ id: EventId("e1"), name: "x", data: {}, ts: T0, receivedAt: T0 }],
          now: T0,
          dedupeWindowMs: 0,
          then: () => [],
        }),
        store.queue.claim({ lanes: ["sdk"], now: T0, limit: 5, owner: "w1", leaseMs: 100 }),
        store.commit({ history: [{ runId: RunId("r"), at: T0, type: "x" }] }),
      ]),
    );
    expect(begins).toBe(1);
    expect(value[0].results).toEqual([{ id: "e1", duplicate: false }]);
    expect(value[1].map((claimed) => claimed.id)).toEqual(["q-1"]);
    expect(value[2]).toEqual({ ok: true, enqueued: [], woken: [] });
  });
});

describe("SQLite store: durability", () => {
  it("everything written is there after close and reopen", async () => {
    const { path } = tempDb();
    const first = openAt(path);
    await first.apps.sync({
      app: {
        id: AppId("shop"),
        url: "http://app",
        sdk: "js:v4",
        framework: null,
        appVersion: null,
        error: null,
        syncedAt: T0,
      },
      functions: [
        {
          id: FunctionId("shop-a"),
          name: "A",
          uuid: "uuid-a",
          config: { id: "a", triggers: [{ event: "x" }], steps: {} },
        },
      ],
      now: T0,
    });
    await first.events.accept({
      events: [
        {
          id: EventId("e1"),
          name: "x",
          data: { n: 1 },
          ts: T0,
          receivedAt: T0,
          idempotencyKey: "k",
        },
      ],
      now: T0,
      dedupeWindowMs: 60_000,
      then: () => [item("q-event", { lane: "system" })],
    });
    await first.commit({
      newRuns: [{ ...newRun("run-1"), eventIds: [EventId("e1")] }],
      steps: [
        {
          runId: RunId("run-1"),
          stepId: StepId("s1"),
          status: "completed",
          outputJson: '{"a": 1}',
        },
        { runId: RunId("run-1"), stepId: StepId("s2"), status: "running", attempts: 2 },
      ],
      enqueue: [item("q-run", { runId: RunId("run-1") })],
      waits: [wait("w1", "run-1")],
      history: [{ runId: RunId("run-1"), at: T0, type: "FunctionScheduled", data: { a: 1 } }],
    });
    const [claimed] = await first.queue.claim({
      lanes: ["sdk"],
      now: T0,
      limit: 1,
      owner: "w1",
      leaseMs: 1_000,
    });
    const snapshot = await everything(first);
    await first.close();

    const second = openAt(path);
    expect(await everything(second)).toEqual(snapshot);
    expect(await second.queue.get(QueueItemId("q-run"))).toEqual(claimed);
    expect(await second.runs.memoized(RunId("run-1"))).toEqual([
      { stepId: "s1", outputJson: '{"a": 1}' },
    ]);
    // The idempotency window survives a restart too.
    const again = await second.events.accept({
      events: [
        { id: EventId("e2"), name: "x", data: {}, ts: T0, receivedAt: T0, idempotencyKey: "k" },
      ],
      now: T0 + 1,
      dedupeWindowMs: 60_000,
      then: () => [],
    });
    expect(again.results).toEqual([{ id: "e1", duplicate: true }]);
  });

  it("close commits writes still queued for the next tick", async () => {
    const { path } = tempDb();
    const first = openAt(path);
    const pending: Promise<CommitResult> = first.commit({ newRuns: [newRun("run-1")] });
    await first.close();
    expect(await pending).toEqual({ ok: true, enqueued: [], woken: [] });
    await expect(first.commit({ newRuns: [newRun("run-2")] })).rejects.toThrow(/closed/);
    const second = openAt(path);
    expect((await second.runs.get(RunId("run-1")))?.status).toBe("Queued");
    expect(await second.runs.get(RunId("run-2"))).toBeUndefined();
  });
});

describe("SQLite store: migrations", () => {
  it("records every migration once, numbered from 1 without gaps", async () => {
    const { path } = tempDb();
    await openAt(path).close();
    await openAt(path).close();
    const db = new Database(path, { readonly: true });
    try {
      const rows = db
        .prepare<[], { id: number; name: string; applied_at: number }>(
          "SELECT id, name, applied_at FROM schema_migrations ORDER BY id",
        )
        .all();
      expect(rows.map(({ id, name }) => ({ id, name }))).toEqual(
        MIGRATIONS.map(({ id, name }) => ({ id, name })),
      );
      expect(rows.map((row) => row.id)).toEqual(rows.map((_, index) => index + 1));
      for (const row of rows) expect(typeof row.applied_at).toBe("number");
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });
});

describe("SQLite store: recover", () => {
  it("releases the leases of other owners and keeps its own", async () => {
    const store = openAt(tempDb().path);
    await store.commit({
      enqueue: [
        item("q-old-long"),
        item("q-old-short", { availableAt: T0 + 1 }),
        item("q-mine", { availableAt: T0 + 2 }),
        item("q-free", { availableAt: T0 + 500 }),
      ],
    });
    const claim = (owner: string, now: number, leaseMs: number) =>
      store.queue.claim({ lanes: ["sdk"], now, limit: 1, owner, leaseMs });
    await claim("old", T0, 10_000); // lease until T0 + 10_000
    await claim("old", T0 + 1, 10); // lease until T0 + 11: already expired at T0 + 100
    const [mine] = await claim("me", T0 + 2, 10_000);

    expect(await store.queue.recover("me", T0 + 100)).toBe(2);
    const free = { leaseOwner: null, leaseToken: null };
    expect(await store.queue.get(QueueItemId("q-old-long"))).toMatchObject({
      ...free,
      availableAt: T0 + 100,
    });
    expect(await store.queue.get(QueueItemId("q-old-short"))).toMatchObject({
      ...free,
      availableAt: T0 + 11,
    });
    expect(await store.queue.get(QueueItemId("q-mine"))).toEqual(mine);
    expect(await store.queue.get(QueueItemId("q-free"))).toMatchObject({
      ...free,
      availableAt: T0 + 500,
    });
    const reclaimed = await store.queue.claim({
      lanes: ["sdk"],
      now: T0 + 100,
      limit: 10,
      owner: "me",
      leaseMs: 1_000,
    });
    expect(reclaimed.map((claimed) => claimed.id)).toEqual(["q-old-short", "q-old-long"]);
    expect(await store.queue.recover("me", T0 + 200)).toBe(0);
  });
});

/** A snapshot of everything the durability test wrote, read through the interface. */
async function everything(store: SqliteStore) {
  const run = RunId("run-1");
  return {
    apps: await store.apps.list(),
    functions: await store.apps.functions({ includeArchived: true }),
    events: await store.events.list({ limit: 10 }),
    runs: await store.runs.list({ limit: 10 }),
    byEvent: await store.runs.byEvent(EventId("e1")),
    steps: await store.runs.steps(run),
    history: await store.runs.history(run),
    queue: (await Promise.all(
      ["q-event", "q-run"].map((id) => store.queue.get(QueueItemId(id))),
    )) satisfies (QueueItem | undefined)[],
    waits: await store.waits.forRun(run),
  };
}
