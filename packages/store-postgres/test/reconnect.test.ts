import { QueueItemId, RunId } from "@ingot/protocol";
import type { NewQueueItem, QueueLane } from "@ingot/store";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore, type PostgresStoreOptions, PostgresStoreError } from "../src/index.js";
import { TestPostgres } from "./postgres.js";

/** Stops and starts the test server mid-test: the store must ride through without a restart. */

const T0 = 1_700_000_000_000;

let server: TestPostgres;
const opened: PostgresStore[] = [];
/** Errors the stores reported in the background (dropped idle connections, LISTEN loss). */
const background: Error[] = [];

beforeAll(async () => {
  server = await TestPostgres.start();
});

afterEach(async () => {
  await server.startServer();
  await Promise.all(opened.splice(0).map((store) => store.close()));
  background.length = 0;
});

afterAll(async () => {
  await server.stop();
});

async function node(url: string, options: Partial<PostgresStoreOptions> = {}) {
  const store = await PostgresStore.open({
    connectionString: url,
    max: 4,
    onError: (error) => background.push(error),
    ...options,
  });
  opened.push(store);
  return store;
}

const item = (id: string, patch: Partial<NewQueueItem> = {}): NewQueueItem => ({
  id: QueueItemId(id),
  lane: "sdk",
  kind: "execute",
  runId: null,
  payload: { id },
  availableAt: T0,
  ...patch,
});

describe("Postgres restarts", () => {
  it("queries fail while the server is down and succeed once it is back", async () => {
    const { url } = await server.createDatabase();
    const store = await node(url, { reconnect: { giveUpAfterMs: 300 } });
    expect(await store.commit({ enqueue: [item("q1")] })).toMatchObject({ ok: true });

    await server.stopServer();
    const started = Date.now();
    const failure = await store.queue.get(QueueItemId("q1")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PostgresStoreError);
    expect(failure).toMatchObject({ code: "postgres_unavailable" });
    // It tried for the budget (with backoff), then gave up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(5_000);
    const commit = await store.commit({ enqueue: [item("q2")] }).catch((error: unknown) => error);
    expect(commit).toMatchObject({ code: "postgres_unavailable" });

    await server.startServer();
    // Same store, same pool: the dead connections were dropped and new ones are made.
    expect((await store.queue.get(QueueItemId("q1")))?.id).toBe("q1");
    expect(await store.commit({ enqueue: [item("q2")] })).toMatchObject({ ok: true });
    expect(await store.queue.countByLane()).toEqual({ sdk: 2 });
  });

  it("a call made while the server is down waits for it within the retry budget", async () => {
    const { url } = await server.createDatabase();
    const store = await node(url, { reconnect: { giveUpAfterMs: 30_000, maxDelayMs: 200 } });
    expect(await store.commit({ enqueue: [item("q1")] })).toMatchObject({ ok: true });
    await server.stopServer();
    const claiming = store.queue.claim({
      lanes: ["sdk"],
      now: T0,
      limit: 5,
      owner: "w1",
      leaseMs: 1_000,
    });
    const committing = store.commit({
      history: [{ runId: RunId("run-1"), at: T0, type: "FunctionScheduled" }],
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.startServer();
    expect((await claiming).map((claimed) => claimed.id)).toEqual(["q1"]);
    expect(await committing).toMatchObject({ ok: true });
    // Applied once, not once per attempt.
    expect(await store.runs.history(RunId("run-1"))).toHaveLength(1);
  });

  it("a transaction whose connection dies before COMMIT is run again, once", async () => {
    const { url } = await server.createDatabase();
    const store = await node(url);
    const blocker = {
      id: "blocker",
      runId: RunId("run-0"),
      stepId: null,
      kind: "event" as const,
      key: "x",
      condition: null,
      matchPath: null,
      matchValue: null,
      expiresAt: T0,
      createdAt: T0,
    };
    expect(await store.commit({ waits: [blocker] })).toMatchObject({ ok: true });
    // Another session holds the wait's row, so the commit stops half-way, inside its transaction.
    const holder = await server.connect(url);
    // Outside the holder's transaction: pg_stat_activity is a snapshot per transaction.
    const monitor = await server.connect(url);
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM waits WHERE id = 'blocker' FOR UPDATE");
      const committing = store.commit({
        history: [{ runId: RunId("run-1"), at: T0, type: "FunctionScheduled" }],
        enqueue: [item("q1")],
        consumeWaits: [{ waitId: "blocker", then: [item("q2")] }],
      });
      const blocked = async () =>
        (
          await monitor.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rows;
      await waitFor(async () => (await blocked()).length > 0);
      const [victim] = await blocked();
      await holder.query("SELECT pg_terminate_backend($1)", [victim?.pid]);
      // The commit runs again on a new connection, and waits for the row again.
      await waitFor(async () => (await blocked()).some((session) => session.pid !== victim?.pid));
      await holder.query("ROLLBACK");
      expect(await committing).toMatchObject({ ok: true });
    } finally {
      await holder.end();
      await monitor.end();
    }
    expect(await store.runs.history(RunId("run-1"))).toHaveLength(1);
    expect(await store.queue.countByLane()).toEqual({ sdk: 2 });
  });

  it("a restart while connections sit idle in the pool is reported, not thrown", async () => {
    const { url } = await server.createDatabase();
    const store = await node(url, { reconnect: { giveUpAfterMs: 10_000 } });
    // Fill the pool with idle connections.
    await Promise.all(Array.from({ length: 4 }, () => store.queue.countByLane()));
    await server.restart();
    expect(await store.queue.countByLane()).toEqual({});
    expect(background.length).toBeGreaterThan(0);
  });

  it("LISTEN comes back after a restart, and subscribers are told to look again", async () => {
    const { url } = await server.createDatabase();
    const [a, b] = [await node(url), await node(url)];
    const heard: QueueLane[] = [];
    b.subscribeQueue((lane) => heard.push(lane));
    await b.whenListening();

    await server.restart();
    // Notifications sent while it was away are lost: every lane is signalled once it is back.
    await waitFor(() => heard.length >= 3);
    expect([...heard].sort()).toEqual(["gateway", "sdk", "system"]);
    await b.whenListening();

    heard.length = 0;
    expect(await a.commit({ enqueue: [item("q1", { lane: "gateway" })] })).toMatchObject({
      ok: true,
    });
    await waitFor(() => heard.length > 0);
    expect(heard).toEqual(["gateway"]);
  });
});

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
