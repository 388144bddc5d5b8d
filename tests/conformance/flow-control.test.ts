import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/** Flow control as a user observes it, with the official v4 SDK (spec §7.1). */
describe("flow control", () => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  let inngest: Inngest;
  const active = new Map<string, number>();
  const peak = new Map<string, number>();
  const starts: { fn: string; tag: string; at: number }[] = [];
  const seen: Record<string, unknown[]> = {};

  const enter = (group: string) => {
    const now = (active.get(group) ?? 0) + 1;
    active.set(group, now);
    peak.set(group, Math.max(peak.get(group) ?? 0, now));
  };
  const leave = (group: string) => active.set(group, (active.get(group) ?? 1) - 1);
  const record = (fn: string, value: unknown) => (seen[fn] ??= []).push(value);

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    inngest = new Inngest({ id: "flow", isDev: true, baseUrl: ingot.url });
    const busy = (group: string, ms: number) => async () => {
      enter(group);
      await sleep(ms);
      leave(group);
      return group;
    };
    const fns = [
      inngest.createFunction(
        { id: "limited", concurrency: 2, triggers: [{ event: "flow/limited" }] },
        async ({ step }) => {
          await step.run("work", busy("limited", 300));
          await step.run("more", busy("limited", 100));
        },
      ),
      inngest.createFunction(
        {
          id: "per-user",
          concurrency: [
            { limit: 1, key: "event.data.user" },
            { limit: 2, scope: "account", key: '"shared-pool"' },
          ],
          triggers: [{ event: "flow/per-user" }],
        },
        async ({ event, step }) => {
          const user = String(event.data.user);
          await step.run("work", async () => {
            enter(`user:${user}`);
            enter("pool");
            await sleep(250);
            leave(`user:${user}`);
            leave("pool");
          });
        },
      ),
      inngest.createFunction(
        {
          id: "throttled",
          throttle: { limit: 1, period: "1s" },
          triggers: [{ event: "flow/throttled" }],
        },
        async ({ event, step }) => {
          await step.run("start", () =>
            starts.push({ fn: "throttled", tag: String(event.data.n), at: Date.now() }),
          );
        },
      ),
      inngest.createFunction(
        {
          id: "rate-limited",
          rateLimit: { limit: 2, period: "1m", key: "event.data.user" },
          triggers: [{ event: "flow/rate" }],
        },
        ({ event }) => {
          record("rate", event.data.n);
          return event.data.n;
        },
      ),
      inngest.createFunction(
        {
          id: "debounced",
          debounce: { period: "800ms" as "1s", key: "event.data.doc" },
          triggers: [{ event: "flow/debounce" }],
        },
        ({ event }) => {
          record(`debounce:${String(event.data.doc)}`, event.data.version);
          return event.data.version;
        },
      ),
      inngest.createFunction(
        {
          id: "debounce-capped",
          debounce: { period: "700ms" as "1s", timeout: "1500ms" as "2s" },
          triggers: [{ event: "flow/debounce-capped" }],
        },
        ({ event }) => {
          record("debounce-capped", { n: event.data.n, at: Date.now() });
        },
      ),
      inngest.createFunction(
        {
          id: "batched",
          batchEvents: { maxSize: 3, timeout: "1500ms" as "2s", key: "event.data.group" },
          triggers: [{ event: "flow/batch" }],
        },
        ({ events }) => {
          record(
            "batch",
            events.map((e) => e.data.n),
          );
          return events.length;
        },
      ),
      inngest.createFunction(
        {
          id: "prioritized",
          concurrency: 1,
          priority: { run: "event.data.priority" },
          triggers: [{ event: "flow/priority" }],
        },
        async ({ event, step }) => {
          await step.run("go", async () => {
            starts.push({ fn: "priority", tag: String(event.data.name), at: Date.now() });
            await sleep(event.data.name === "blocker" ? 600 : 50);
          });
        },
      ),
      inngest.createFunction(
        {
          id: "idempotent",
          idempotency: "event.data.orderId",
          triggers: [{ event: "flow/order" }],
        },
        ({ event }) => {
          record("idempotent", event.data.copy);
        },
      ),
      inngest.createFunction(
        {
          id: "start-timeout",
          concurrency: 1,
          timeouts: { start: "1s" },
          triggers: [{ event: "flow/start-timeout" }],
        },
        async ({ event, step }) => {
          await step.run("hold", () => sleep(Number(event.data.holdMs)));
          return "ran";
        },
      ),
      inngest.createFunction(
        {
          id: "finish-timeout",
          timeouts: { finish: "1s" },
          triggers: [{ event: "flow/finish-timeout" }],
        },
        async ({ step }) => {
          await step.sleep("too-long", "10s");
          return "finished";
        },
      ),
      inngest.createFunction(
        {
          id: "singleton-skip",
          singleton: { key: "event.data.user", mode: "skip" },
          triggers: [{ event: "flow/singleton-skip" }],
        },
        async ({ step }) => {
          await step.sleep("hold", "1500ms");
          return "done";
        },
      ),
      inngest.createFunction(
        {
          id: "singleton-cancel",
          singleton: { mode: "cancel" },
          triggers: [{ event: "flow/singleton-cancel" }],
        },
        async ({ step }) => {
          await step.sleep("hold", "1500ms");
          return "done";
        },
      ),
      inngest.createFunction(
        { id: "cancelled-listener", triggers: [{ event: "inngest/function.cancelled" }] },
        ({ event }) => {
          record("cancelled", event.data.function_id);
        },
      ),
    ];
    app = await serveApp({ handler: serveV4({ client: inngest, functions: fns }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("concurrency: never more steps at once than the limit", async () => {
    const ids = await api.send(
      Array.from({ length: 6 }, (_, n) => ({ name: "flow/limited", data: { n } })),
    );
    const runs = (
      await Promise.all(ids.map((id) => api.settled(id, { timeoutMs: 20_000 })))
    ).flat();
    expect(runs.every((r) => r.status === "Completed")).toBe(true);
    expect(peak.get("limited")).toBe(2);
  });

  it("concurrency: a per-key limit and a shared account-level limit together", async () => {
    const users = ["a", "a", "a", "b", "b", "c"];
    const ids = await api.send(users.map((user) => ({ name: "flow/per-user", data: { user } })));
    await Promise.all(ids.map((id) => api.settled(id, { timeoutMs: 20_000 })));
    for (const user of ["a", "b", "c"]) expect(peak.get(`user:${user}`)).toBe(1);
    expect(peak.get("pool")).toBe(2);
  });

  it("throttle: delays the excess instead of dropping it (one start per second)", async () => {
    const ids = await api.send(
      Array.from({ length: 3 }, (_, n) => ({ name: "flow/throttled", data: { n } })),
    );
    await Promise.all(ids.map((id) => api.settled(id, { timeoutMs: 20_000 })));
    const times = starts
      .filter((s) => s.fn === "throttled")
      .map((s) => s.at)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(850);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(850);
  });

  it("rateLimit: drops the excess per key", async () => {
    const ids = await api.send([
      ...Array.from({ length: 4 }, (_, n) => ({ name: "flow/rate", data: { user: "u1", n } })),
      { name: "flow/rate", data: { user: "u2", n: 100 } },
    ]);
    await api.settled(ids[0]!);
    await api.settled(ids[1]!);
    await api.settled(ids[4]!);
    await sleep(300);
    expect(await api.runsOf(ids[2]!)).toEqual([]);
    expect(await api.runsOf(ids[3]!)).toEqual([]);
    expect((seen.rate ?? []).sort()).toEqual([0, 1, 100]);
  });

  it("debounce: one run per key after the quiet period, with the latest event", async () => {
    for (const version of [1, 2, 3]) {
      await api.send([
        { name: "flow/debounce", data: { doc: "d1", version } },
        { name: "flow/debounce", data: { doc: "d2", version: version * 10 } },
      ]);
      await sleep(200);
    }
    await sleep(1_500);
    expect(seen["debounce:d1"]).toEqual([3]);
    expect(seen["debounce:d2"]).toEqual([30]);
  });

  it("debounce: the timeout caps the wait while events keep coming", async () => {
    const first = Date.now();
    for (let n = 0; n < 8; n++) {
      await api.send({ name: "flow/debounce-capped", data: { n } });
      await sleep(400);
    }
    await sleep(1_200);
    const runs = (seen["debounce-capped"] ?? []) as { n: number; at: number }[];
    expect(runs.length).toBeGreaterThanOrEqual(2);
    // The first run started once the 1.5 s cap passed, not after the last event.
    expect(runs[0]!.at - first).toBeGreaterThanOrEqual(1_400);
    expect(runs[0]!.at - first).toBeLessThan(2_800);
    expect(runs[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it("batchEvents: full batches at once, the rest after the timeout, per key", async () => {
    await api.send([
      ...Array.from({ length: 7 }, (_, n) => ({ name: "flow/batch", data: { group: "g1", n } })),
      { name: "flow/batch", data: { group: "g2", n: 99 } },
    ]);
    await sleep(2_500);
    const batches = (seen.batch ?? []) as number[][];
    expect(batches.map((b) => b.length).sort()).toEqual([1, 1, 3, 3]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 99]);
    expect(batches).toContainEqual([99]);
  });

  it("priority: under contention, higher priority starts first", async () => {
    await api.send({ name: "flow/priority", data: { name: "blocker", priority: 0 } });
    await sleep(200);
    const ids = await api.send([
      { name: "flow/priority", data: { name: "low", priority: -100 } },
      { name: "flow/priority", data: { name: "mid", priority: 0 } },
      { name: "flow/priority", data: { name: "high", priority: 300 } },
    ]);
    await Promise.all(ids.map((id) => api.settled(id, { timeoutMs: 20_000 })));
    expect(starts.filter((s) => s.fn === "priority").map((s) => s.tag)).toEqual([
      "blocker",
      "high",
      "mid",
      "low",
    ]);
  });

  it("idempotency: one run per key", async () => {
    const ids = await api.send([
      { name: "flow/order", data: { orderId: "o-1", copy: 1 } },
      { name: "flow/order", data: { orderId: "o-1", copy: 2 } },
      { name: "flow/order", data: { orderId: "o-2", copy: 3 } },
    ]);
    await api.settled(ids[0]!);
    await api.settled(ids[2]!);
    await sleep(300);
    expect(await api.runsOf(ids[1]!)).toEqual([]);
    expect((seen.idempotent ?? []).sort()).toEqual([1, 3]);
  });

  it("timeouts.start cancels a run that waited too long to start; timeouts.finish one that ran too long", async () => {
    const [holder] = await api.send({ name: "flow/start-timeout", data: { holdMs: 2_000 } });
    await api.started(holder!);
    await sleep(200);
    const [waiting] = await api.send({ name: "flow/start-timeout", data: { holdMs: 0 } });
    const [late] = await api.settled(waiting!, { timeoutMs: 10_000 });
    expect(late?.status).toBe("Cancelled");
    expect((await api.settled(holder!))[0]?.output).toBe("ran");

    const [slow] = await api.send({ name: "flow/finish-timeout" });
    const [run] = await api.settled(slow!, { timeoutMs: 10_000 });
    expect(run?.status).toBe("Cancelled");
    expect(run?.output).toMatchObject({
      message: expect.stringContaining("timeouts.finish") as string,
    });
    await sleep(300);
    expect(seen.cancelled).toContain("flow-finish-timeout");
  });

  it("singleton: skip drops runs while one is in progress; cancel replaces it", async () => {
    const [first] = await api.send({ name: "flow/singleton-skip", data: { user: "s" } });
    await api.started(first!);
    await sleep(200);
    const [second, other] = await api.send([
      { name: "flow/singleton-skip", data: { user: "s" } },
      { name: "flow/singleton-skip", data: { user: "t" } },
    ]);
    await sleep(300);
    expect(await api.runsOf(second!)).toEqual([]);
    expect(await api.runsOf(other!)).toHaveLength(1);

    const [old] = await api.send({ name: "flow/singleton-cancel" });
    const [oldRun] = await api.started(old!);
    await sleep(300);
    const [replacement] = await api.send({ name: "flow/singleton-cancel" });
    expect((await api.waitFor(oldRun!.run_id, ["Cancelled"])).status).toBe("Cancelled");
    expect((await api.settled(replacement!, { timeoutMs: 10_000 }))[0]?.output).toBe("done");
  });
});
