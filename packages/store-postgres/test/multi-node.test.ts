import { QueueItemId, RunId, StepId } from "@ingot/protocol";
import type { NewQueueItem, NewWait, QueueItem, QueueLane } from "@ingot/store";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { enqueue, event, item, lockWaiters, rows, T0, useTestServer, waitFor } from "./fixtures.js";

/** Several stores (pools) on one database, as several Ingot nodes are. */

const { node, freshDatabase } = useTestServer();

describe("dedupe keys when leases end", () => {
  it("a released item replaces its unleased twin, as SQLite's UPDATE OR REPLACE does", async () => {
    const store = await node(await freshDatabase());
    await enqueue(store, [item("d1", { dedupeKey: "run-1:discovery" })]);
    const [held] = await store.queue.claim({
      lanes: ["sdk"],
      now: T0,
      limit: 1,
      owner: "w1",
      leaseMs: 1_000,
    });
    expect(held?.id).toBe("d1");
    // While d1 is leased its key is free: a twin is queued.
    expect(
      (await enqueue(store, [item("d2", { dedupeKey: "run-1:discovery" })])).map((i) => i.id),
    ).toEqual(["d2"]);
    await store.queue.release({ ids: [QueueItemId("d1")], owner: "w1", at: T0 + 5 });
    expect(await store.queue.get(QueueItemId("d2"))).toBeUndefined();
    expect(await store.queue.get(QueueItemId("d1"))).toMatchObject({
      leaseOwner: null,
      availableAt: T0 + 5,
    });
    expect(await store.queue.countByLane()).toEqual({ sdk: 1 });
  });

  it("of two expired leases with one key, reaping keeps one", async () => {
    const store = await node(await freshDatabase());
    const claim = () =>
      store.queue.claim({ lanes: ["sdk"], now: T0, limit: 1, owner: "w1", leaseMs: 10 });
    await enqueue(store, [item("d1", { dedupeKey: "k" })]);
    await claim();
    await enqueue(store, [item("d2", { dedupeKey: "k" })]);
    await claim();
    await enqueue(store, [item("d3", { dedupeKey: "k" })]);
    // d1 and d2 expire; d3 waits unleased. One item per key may be unleased: the newest
    // released one stays, the others go.
    expect(await store.queue.reapExpired(T0 + 100)).toBe(1);
    const remaining = await Promise.all(
      ["d1", "d2", "d3"].map((id) => store.queue.get(QueueItemId(id))),
    );
    expect(remaining.filter(Boolean).map((queued) => queued?.id)).toEqual(["d2"]);
    expect(remaining[1]).toMatchObject({ leaseOwner: null, leaseToken: null });
  });
});

describe("several nodes on one database", () => {
  it("claims never hand out the same item, under load (2,000 items, 4 claimers on 2 pools)", async () => {
    const url = await freshDatabase();
    const [a, b] = [await node(url, { max: 3 }), await node(url, { max: 3 })];
    const total = 2_000;
    const items = Array.from({ length: total }, (_, n) =>
      item(`q-${String(n).padStart(4, "0")}`, { availableAt: T0 + (n % 50) }),
    );
    for (let start = 0; start < total; start += 500) {
      await enqueue(a, items.slice(start, start + 500));
    }
    const claimers = [a, a, b, b].map(async (store, n) => {
      const mine: QueueItem[] = [];
      for (;;) {
        const batch = await store.queue.claim({
          lanes: ["sdk"],
          now: T0 + 100,
          limit: 7,
          owner: `w${n}`,
          leaseMs: 60_000,
        });
        if (batch.length === 0) return mine;
        mine.push(...batch);
      }
    });
    const claimed = await Promise.all(claimers);
    const all = claimed.flat().map((claimedItem) => claimedItem.id);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    // Everyone got work, and the database agrees on who holds what.
    for (const mine of claimed) expect(mine.length).toBeGreaterThan(0);
    const owners = await rows(url, "SELECT lease_owner, COUNT(*) AS n FROM queue GROUP BY 1");
    expect(
      Object.fromEntries(owners.map((row) => [String(row.lease_owner), Number(row.n)])),
    ).toEqual(Object.fromEntries(claimed.map((mine, n) => [`w${n}`, mine.length])));
  });

  it("an expired lease is reaped, claimed by another node, and the old token's commit is refused", async () => {
    const url = await freshDatabase();
    const [a, b] = [await node(url), await node(url)];
    await enqueue(a, [item("q1"), item("q2")]);
    const [short] = await a.queue.claim({
      lanes: ["sdk"],
      now: T0,
      limit: 1,
      owner: "node-a",
      leaseMs: 100,
    });
    const [long] = await a.queue.claim({
      lanes: ["sdk"],
      now: T0,
      limit: 1,
      owner: "node-a",
      leaseMs: 60_000,
    });
    if (!short?.leaseToken || !long) throw new Error("expected two leases");
    // Node b starting up does not take node a's live leases (recover only reaps expired ones).
    expect(await b.queue.recover("node-b", T0 + 50)).toBe(0);
    expect(
      await b.queue.claim({
        lanes: ["sdk"],
        now: T0 + 50,
        limit: 5,
        owner: "node-b",
        leaseMs: 1_000,
      }),
    ).toEqual([]);
    // Node a stops extending; at T0 + 200 its short lease has expired.
    expect(await b.queue.reapExpired(T0 + 200)).toBe(1);
    const [taken] = await b.queue.claim({
      lanes: ["sdk"],
      now: T0 + 200,
      limit: 5,
      owner: "node-b",
      leaseMs: 1_000,
    });
    expect(taken?.id).toBe(short.id);
    expect(taken?.leaseToken).not.toBe(short.leaseToken);
    expect(
      await a.commit({
        complete: { id: short.id, lease: short.leaseToken },
        history: [{ runId: RunId("run-1"), at: T0, type: "StepCompleted" }],
      }),
    ).toEqual({ ok: false, reason: "stale" });
    expect(await a.runs.history(RunId("run-1"))).toEqual([]);
    // Node a's other lease is untouched and still its own.
    expect(await b.queue.get(long.id)).toEqual(long);
    if (!taken?.leaseToken) throw new Error("expected a lease");
    expect(await b.commit({ complete: { id: taken.id, lease: taken.leaseToken } })).toMatchObject({
      ok: true,
    });
  });

  it("two nodes accepting one idempotency key at once accept exactly one event", async () => {
    const url = await freshDatabase();
    const [a, b] = [await node(url), await node(url)];
    for (let round = 0; round < 20; round++) {
      const key = `order-${round}`;
      const results = await Promise.all(
        [a, b, a, b].map((store, n) =>
          store.events.accept({
            events: [event(`e-${round}-${n}`, { idempotencyKey: key })],
            now: T0,
            dedupeWindowMs: 60_000,
            then: (accepted) => accepted.map((e) => item(`process-${e.id}`, { lane: "system" })),
          }),
        ),
      );
      const winners = results.flatMap((result) => result.results).filter((r) => !r.duplicate);
      expect(winners).toHaveLength(1);
      // The losers report the winner's id.
      for (const result of results) expect(result.results[0]?.id).toBe(winners[0]?.id);
    }
    const stored = await rows(url, "SELECT COUNT(*) AS n FROM events");
    expect(Number(stored[0]?.n)).toBe(20);
    expect(await a.queue.countByLane()).toEqual({ system: 20 });
  });

  it("an event accepted while a wait is created is matched by the look-back or by routing", async () => {
    // Node a accepts events and then routes each (reads the waits on its name, consumes the
    // matching one); node b creates, at the same time, waits whose look-back looks for them.
    // Whatever the interleaving, each wait is resumed exactly once.
    const url = await freshDatabase();
    const [a, b] = [await node(url, { max: 6 }), await node(url, { max: 6 })];
    const name = "shop/approval";
    const count = 60;
    const resumed = (kind: string, n: number): NewQueueItem =>
      item(`${kind}-${n}`, { lane: "system", kind: "resume", payload: { n } });
    const acceptAndRoute = async (n: number): Promise<void> => {
      await a.events.accept({
        events: [event(`e-${n}`, { name, data: { n } })],
        now: T0,
        dedupeWindowMs: 0,
        then: () => [],
      });
      const waits = await a.waits.byKey("event", name);
      const wait = waits.find((w) => w.matchValue === String(n));
      if (wait) {
        await a.commit({ consumeWaits: [{ waitId: wait.id, then: [resumed("routed", n)] }] });
      }
    };
    const createWait = async (n: number): Promise<void> => {
      const wait: NewWait = {
        id: `w-${n}`,
        runId: RunId(`run-${n}`),
        stepId: StepId("wait"),
        kind: "event",
        key: name,
        condition: null,
        matchPath: "data.n",
        matchValue: String(n),
        expiresAt: T0 + 60_000,
        createdAt: T0,
        lookback: {
          since: T0,
          matches: (e) => e.data.n === n,
          then: () => [resumed("lookback", n)],
        },
      };
      const result = await b.commit({ waits: [wait] });
      expect(result.ok).toBe(true);
    };
    await Promise.all(
      Array.from({ length: count }, (_, n) => [acceptAndRoute(n), createWait(n)]).flat(),
    );
    const ids = new Set((await rows(url, "SELECT id FROM queue")).map((row) => String(row.id)));
    for (let n = 0; n < count; n++) {
      const outcomes = [ids.has(`lookback-${n}`), ids.has(`routed-${n}`)].filter(Boolean);
      expect(outcomes, `wait ${n}`).toHaveLength(1);
    }
    expect(await b.waits.byKey("event", name)).toEqual([]);
  });

  it("an event committed while a look-back wait is between its read and its commit is routed to it", async () => {
    // The interleaving the look-back lock exists for, made deterministic: node b's commit has
    // read (no event yet) and written its wait, and is held before COMMIT by a row lock another
    // session keeps; node a accepts the event and routes it. Without the event-name lock the
    // accept commits at once, routing finds no committed wait, and the wait is lost.
    const url = await freshDatabase();
    const [a, b] = [await node(url), await node(url)];
    const name = "shop/approval";
    const wait = (id: string, patch: Partial<NewWait> = {}): NewWait => ({
      id,
      runId: RunId("run-1"),
      stepId: StepId("wait"),
      kind: "event",
      key: name,
      condition: null,
      matchPath: null,
      matchValue: null,
      expiresAt: T0 + 60_000,
      createdAt: T0,
      ...patch,
    });
    expect(await b.commit({ waits: [wait("blocker", { key: "other" })] })).toMatchObject({
      ok: true,
    });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM waits WHERE id = 'blocker' FOR UPDATE");
      const creating = b.commit({
        waits: [
          wait("w1", {
            lookback: {
              since: T0,
              matches: () => true,
              then: () => [item("lookback", { lane: "system" })],
            },
          }),
        ],
        consumeWaits: [{ waitId: "blocker", then: [] }],
      });
      await waitFor(async () => (await lockWaiters(url)) >= 1);
      const accepting = (async () => {
        await a.events.accept({
          events: [event("e1", { name })],
          now: T0,
          dedupeWindowMs: 0,
          then: () => [],
        });
        const [found] = await a.waits.byKey("event", name);
        if (found) {
          await a.commit({
            consumeWaits: [{ waitId: found.id, then: [item("routed", { lane: "system" })] }],
          });
        }
      })();
      // Give the accept every chance to overtake the held commit.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query("ROLLBACK");
      expect(await creating).toMatchObject({ ok: true });
      await accepting;
    } finally {
      await holder.end();
    }
    expect((await rows(url, "SELECT id FROM queue")).map((row) => row.id)).toEqual(["routed"]);
    expect(await a.waits.get("w1")).toBeUndefined();
  });

  it("a concurrency limit holds across nodes claiming at once", async () => {
    const url = await freshDatabase();
    const [a, b] = [await node(url), await node(url)];
    const limit = [{ key: "fn:shop-a:*", limit: 2 }];
    const total = 12;
    await enqueue(
      a,
      Array.from({ length: total }, (_, n) =>
        item(`c-${String(n).padStart(2, "0")}`, { concurrency: limit, availableAt: T0 + n }),
      ),
    );
    const held: QueueItem[] = [];
    let completed = 0;
    for (let round = 0; completed < total; round++) {
      if (round > 3 * total) throw new Error(`stuck: ${total - completed} items never ran`);
      const batches = await Promise.all(
        [a, b, a, b].map((store, n) =>
          store.queue.claim({
            lanes: ["sdk"],
            now: T0 + 100,
            limit: 3,
            owner: `w${n}`,
            leaseMs: 60_000,
          }),
        ),
      );
      held.push(...batches.flat());
      expect(held.length).toBeLessThanOrEqual(2);
      const slots = await rows(url, "SELECT COUNT(*) AS n FROM concurrency_slots");
      expect(Number(slots[0]?.n)).toBe(held.length);
      // One finishes, on alternating nodes; its slot lets a parked item back.
      const finished = held.shift();
      if (!finished?.leaseToken) continue;
      const result = await (round % 2 === 0 ? a : b).commit({
        complete: { id: finished.id, lease: finished.leaseToken },
      });
      expect(result).toMatchObject({ ok: true });
      completed++;
    }
    expect(await a.queue.countByLane()).toEqual({});
  });
});

describe("LISTEN/NOTIFY wake-ups", () => {
  it("a node hears about items another node made claimable, per lane, once per commit", async () => {
    const url = await freshDatabase();
    const [a, b] = [await node(url), await node(url)];
    const heard: QueueLane[] = [];
    const unsubscribe = b.subscribeQueue((lane) => heard.push(lane));
    await b.whenListening();
    await enqueue(a, [item("q1"), item("q2"), item("t1", { lane: "system" })]);
    await waitFor(() => heard.length >= 2);
    expect([...heard].sort()).toEqual(["sdk", "system"]);

    // Not due yet, or enqueued already leased to the enqueuer: nobody else needs waking.
    heard.length = 0;
    await enqueue(a, [
      item("later", { availableAt: Date.now() + 60_000 }),
      item("mine", { claim: { owner: "node-a", leaseMs: 60_000 } }),
    ]);
    // An item given back is claimable again.
    await a.queue.release({ ids: [QueueItemId("mine")], owner: "node-a", at: T0 });
    await waitFor(() => heard.length > 0);
    await enqueue(a, [item("g1", { lane: "gateway" })]);
    await waitFor(() => heard.length > 1);
    expect(heard).toEqual(["sdk", "gateway"]);

    unsubscribe();
    heard.length = 0;
    await enqueue(a, [item("q3")]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual([]);
  });

  it("a notification is sent only when the transaction commits", async () => {
    const url = await freshDatabase();
    const [a, b] = [await node(url), await node(url)];
    const heard: QueueLane[] = [];
    b.subscribeQueue((lane) => heard.push(lane));
    await b.whenListening();
    const failed = await a.commit({
      complete: { id: QueueItemId("missing"), lease: "none" },
      enqueue: [item("q1")],
    });
    expect(failed).toEqual({ ok: false, reason: "stale" });
    await a.events.accept({
      events: [event("e1")],
      now: T0,
      dedupeWindowMs: 0,
      then: (accepted) => accepted.map((e) => item(`process-${e.id}`, { lane: "system" })),
    });
    await waitFor(() => heard.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).toEqual(["system"]);
  });
});
