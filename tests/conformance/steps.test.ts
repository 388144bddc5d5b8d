import { type Inngest, referenceFunction } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter, IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4, v4Client } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/**
 * The official v4 SDK against a real `ingot dev`: every step primitive, with checkpointing on
 * (v4's default: several steps per request) and off (one step per request).
 */
describe.each([
  { checkpointing: true, label: "checkpointing on" },
  { checkpointing: false, label: "checkpointing off" },
])("v4 SDK steps ($label)", ({ checkpointing }) => {
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  const counter = new Counter();
  const appId = checkpointing ? "steps-ckpt" : "steps-classic";
  const sentEarly = new Set<string>();

  function functions(inngest: Inngest) {
    return [
      inngest.createFunction(
        { id: "sequential", triggers: [{ event: "test/sequential" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const a = await step.run("a", () => (counter.hit(`${key}:a`), 1));
          const b = await step.run("b", () => (counter.hit(`${key}:b`), a + 1));
          const c = await step.run("c", () => (counter.hit(`${key}:c`), { total: a + b }));
          return { a, b, c, name: event.data.name as string };
        },
      ),
      inngest.createFunction(
        { id: "parallel", triggers: [{ event: "test/parallel" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const parts = await Promise.all(
            ["x", "y", "z"].map((id) =>
              step.run(id, () => (counter.hit(`${key}:${id}`), id.toUpperCase())),
            ),
          );
          const after = await step.run(
            "after",
            () => (counter.hit(`${key}:after`), parts.join("")),
          );
          return { parts, after };
        },
      ),
      inngest.createFunction(
        { id: "race", triggers: [{ event: "test/race" }] },
        async ({ event, step, group }) => {
          const key = String(event.data.key);
          const winner = await group.parallel({ mode: "race" }, () =>
            Promise.race([
              step.run("slow", async () => {
                counter.hit(`${key}:slow`);
                await sleep(300);
                return "slow";
              }),
              step.run("fast", () => (counter.hit(`${key}:fast`), "fast")),
            ]),
          );
          return { winner };
        },
      ),
      inngest.createFunction(
        { id: "sleeper", triggers: [{ event: "test/sleep" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const started = await step.run("start", () => Date.now());
          await step.sleep("nap", "1s");
          await step.sleepUntil("until", new Date(Date.now() + 300));
          await step.sleepUntil("past", new Date(Date.now() - 60_000));
          const done = await step.run("after", () => (counter.hit(`${key}:after`), Date.now()));
          return { sleptAtLeastMs: done - started };
        },
      ),
      inngest.createFunction(
        { id: "waiter", triggers: [{ event: "test/wait" }] },
        async ({ event, step }) => {
          const approved = await step.waitForEvent("approval", {
            event: "test/approved",
            timeout: event.data.timeout as string,
            match: "data.key",
          });
          const filtered = await step.waitForEvent("filtered", {
            event: "test/score",
            timeout: event.data.timeout as string,
            if: "async.data.score > 10 && async.data.key == event.data.key",
          });
          return { approved: approved?.data ?? null, filtered: filtered?.data ?? null };
        },
      ),
      inngest.createFunction(
        { id: "early-waiter", triggers: [{ event: "test/early-wait" }] },
        async ({ event, step, runId }) => {
          // Plain code before the wait: on the first request only, the awaited event is accepted
          // while this request is still open, i.e. before the server can have stored the wait.
          if (!sentEarly.has(runId)) {
            sentEarly.add(runId);
            await api.send({ name: "test/early", data: { key: event.data.key, early: true } });
            await sleep(200);
          }
          const got = await step.waitForEvent("approval", {
            event: "test/early",
            timeout: "10s",
            match: "data.key",
          });
          return got?.data ?? null;
        },
      ),
      inngest.createFunction(
        { id: "child", triggers: [{ event: "test/child-direct" }] },
        async ({ event, step }) => {
          const slow = Boolean(event.data.slow);
          if (slow) await step.sleep("hold", "3s");
          return { doubled: Number(event.data.n) * 2 };
        },
      ),
      inngest.createFunction(
        { id: "parent", triggers: [{ event: "test/invoke" }] },
        async ({ event, step }) => {
          const timeout = event.data.timeout as string | undefined;
          try {
            const result = await step.invoke("call-child", {
              function: referenceFunction({ functionId: "child" }),
              data: { n: event.data.n, slow: event.data.slow },
              ...(timeout ? { timeout } : {}),
            });
            return { result };
          } catch (error) {
            return { error: (error as Error).name, message: (error as Error).message };
          }
        },
      ),
      inngest.createFunction(
        { id: "sender", triggers: [{ event: "test/send" }] },
        async ({ event, step }) => {
          const sent = await step.sendEvent("emit", {
            name: "test/sequential",
            data: { key: `${String(event.data.key)}-sent`, name: "sent" },
          });
          return sent;
        },
      ),
      inngest.createFunction(
        { id: "loop", triggers: [{ event: "test/loop" }] },
        async ({ event, step }) => {
          const key = String(event.data.key);
          const out: number[] = [];
          for (let i = 0; i < 3; i++)
            out.push(await step.run("same-id", () => (counter.hit(`${key}:same`), i)));
          return out;
        },
      ),
    ];
  }

  beforeAll(async () => {
    ingot = await startIngot();
    api = new IngotApi(ingot.url);
    const inngest = v4Client(appId, ingot.url, { checkpointing });
    app = await serveApp({ handler: serveV4({ client: inngest, functions: functions(inngest) }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("runs sequential steps once each and returns the output", async () => {
    const [id] = await api.send({ name: "test/sequential", data: { key: "seq", name: "bob" } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({
      status: "Completed",
      output: { a: 1, b: 2, c: { total: 3 }, name: "bob" },
    });
    expect(counter.get("seq:a")).toBe(1);
    expect(counter.get("seq:b")).toBe(1);
    expect(counter.get("seq:c")).toBe(1);
    const steps = await api.steps(run!.run_id);
    expect(steps.map((s) => [s.name, s.status, s.output])).toEqual([
      ["a", "completed", { data: 1 }],
      ["b", "completed", { data: 2 }],
      ["c", "completed", { data: { total: 3 } }],
    ]);
  });

  it("runs parallel steps once each, then continues", async () => {
    const [id] = await api.send({ name: "test/parallel", data: { key: "par" } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({
      status: "Completed",
      output: { parts: ["X", "Y", "Z"], after: "XYZ" },
    });
    for (const part of ["x", "y", "z", "after"]) expect(counter.get(`par:${part}`)).toBe(1);
  });

  it("resolves a race by completion order and still memoizes the loser", async () => {
    const [id] = await api.send({ name: "test/race", data: { key: "race" } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({ status: "Completed", output: { winner: "fast" } });
    expect(counter.get("race:fast")).toBe(1);
    expect(counter.get("race:slow")).toBe(1);
    const steps = await api.steps(run!.run_id);
    expect(
      steps
        .filter((s) => s.status === "completed")
        .map((s) => s.name)
        .sort(),
    ).toEqual(["fast", "slow"]);
  });

  it("sleeps for a duration and until a date", async () => {
    const [id] = await api.send({ name: "test/sleep", data: { key: "sleep" } });
    const [run] = await api.settled(id!, { timeoutMs: 10_000 });
    expect(run?.status).toBe("Completed");
    expect((run?.output as { sleptAtLeastMs: number }).sleptAtLeastMs).toBeGreaterThanOrEqual(
      1_250,
    );
    expect(counter.get("sleep:after")).toBe(1);
  });

  it("waits for matching events (match and if) and ignores the others", async () => {
    const [id] = await api.send({ name: "test/wait", data: { key: "w1", timeout: "30s" } });
    const runs = await api.started(id!);
    await waitForStep(api, runs[0]!.run_id, "approval");
    await api.send([
      { name: "test/approved", data: { key: "other", by: "mallory" } },
      { name: "test/approved", data: { key: "w1", by: "alice" } },
    ]);
    await waitForStep(api, runs[0]!.run_id, "filtered");
    await api.send([
      { name: "test/score", data: { key: "w1", score: 5 } },
      { name: "test/score", data: { key: "w1", score: 50 } },
    ]);
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({
      status: "Completed",
      output: { approved: { key: "w1", by: "alice" }, filtered: { key: "w1", score: 50 } },
    });
  });

  it("returns null from waitForEvent when it times out", async () => {
    const [id] = await api.send({ name: "test/wait", data: { key: "w-timeout", timeout: "1s" } });
    const [run] = await api.settled(id!, { timeoutMs: 10_000 });
    expect(run).toMatchObject({ status: "Completed", output: { approved: null, filtered: null } });
  });

  it("matches an event that arrives while the wait is being created", async () => {
    const [id] = await api.send({ name: "test/early-wait", data: { key: "early-1" } });
    const [run] = await api.settled(id!, { timeoutMs: 15_000 });
    expect(run).toMatchObject({ status: "Completed", output: { key: "early-1", early: true } });
  });

  it("does not match events that were received before the run reached the wait", async () => {
    const ids = await api.send([
      { name: "test/approved", data: { key: "w-before", by: "too-early" } },
      { name: "test/wait", data: { key: "w-before", timeout: "1s" } },
    ]);
    const [run] = await api.settled(ids[1]!, { timeoutMs: 10_000 });
    expect(run).toMatchObject({ status: "Completed", output: { approved: null } });
  });

  it("invokes another function and receives its result", async () => {
    const [id] = await api.send({ name: "test/invoke", data: { n: 21 } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({ status: "Completed", output: { result: { doubled: 42 } } });
  });

  it("times out an invocation with InngestInvokeTimeoutError", async () => {
    const [id] = await api.send({ name: "test/invoke", data: { n: 1, slow: true, timeout: "1s" } });
    const [run] = await api.settled(id!, { timeoutMs: 10_000 });
    expect(run).toMatchObject({
      status: "Completed",
      output: { error: "InngestInvokeTimeoutError" },
    });
  });

  it("sends events from a step, and they trigger functions", async () => {
    const [id] = await api.send({ name: "test/send", data: { key: "snd" } });
    const [run] = await api.settled(id!);
    expect(run?.status).toBe("Completed");
    const sentIds = (run?.output as { ids: string[] }).ids;
    expect(sentIds).toHaveLength(1);
    const [child] = await api.settled(sentIds[0]!);
    expect(child).toMatchObject({ status: "Completed", output: { name: "sent" } });
    expect(counter.get("snd-sent:a")).toBe(1);
  });

  it("keeps repeated step ids apart", async () => {
    const [id] = await api.send({ name: "test/loop", data: { key: "loop" } });
    const [run] = await api.settled(id!);
    expect(run).toMatchObject({ status: "Completed", output: [0, 1, 2] });
    expect(counter.get("loop:same")).toBe(3);
  });
});

async function waitForStep(api: IngotApi, runId: string, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const steps = await api.steps(runId);
    if (steps.some((step) => step.name === name && step.status === "waiting")) return;
    await sleep(20);
  }
  throw new Error(`step ${name} of run ${runId} never started waiting`);
}
