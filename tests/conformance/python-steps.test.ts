import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiRun, type IngotApi, sleep } from "./harness/api.js";
import type { IngotProcess } from "./harness/ingot.js";
import { type PythonApp, startPythonStack } from "./harness/python.js";

/**
 * The official Python SDK, unchanged, against a running Ingot: a FastAPI app with async
 * functions and a Flask app with sync functions (python/async_app.py, python/sync_app.py, the
 * same functions), synced by `ingot dev -u`. Steps, failures, flow control and large state.
 */

const APPS = [
  { appId: "py-async", server: "fastapi", module: "async_app" },
  { appId: "py-sync", server: "flask", module: "sync_app" },
] as const;

let ingot: IngotProcess;
let api: IngotApi;
let apps: Map<string, PythonApp>;

beforeAll(async () => {
  ({ ingot, api, apps } = await startPythonStack({
    apps: APPS.map((app) => ({ ...app })),
    // Step outputs above 64 KiB travel through the API (`use_api`), as 4 MiB ones do by default.
    ingotEnv: { INGOT_INLINE_STATE_BYTES: String(64 * 1024) },
  }));
});

afterAll(async () => {
  await Promise.all([...(apps?.values() ?? [])].map((app) => app.stop()));
  await ingot?.stop();
});

interface Timed {
  start: number;
  end: number;
  n?: number;
}

/** Largest number of intervals open at once. */
function peakOverlap(intervals: Timed[]): number {
  const edges = intervals.flatMap((i) => [
    { at: i.start, d: 1 },
    { at: i.end, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let open = 0;
  let peak = 0;
  for (const edge of edges) peak = Math.max(peak, (open += edge.d));
  return peak;
}

describe.each(APPS)("Python SDK, $server app ($appId)", ({ appId }) => {
  const send = (name: string, data: Record<string, unknown> = {}) =>
    api.send({ name: `${appId}/${name}`, data });
  const runOf = async (eventId: string, timeoutMs = 20_000): Promise<ApiRun> =>
    (await api.settled(eventId, { timeoutMs }))[0]!;
  const runsOfFunction = async (fn: string): Promise<ApiRun[]> =>
    (await api.json<{ data: ApiRun[] }>(`/v1/runs?function_id=${appId}-${fn}&limit=100`)).body.data;

  it.concurrent("step.run, sleep, sleep_until, send_event, invoke and group.parallel", async () => {
    const [id] = await send("steps", { n: 5 });
    const run = await runOf(id!);
    expect(run).toMatchObject({
      status: "Completed",
      output: {
        a: { n: 5 },
        b: 15,
        sent: 1,
        invoked: { child_got: 15 },
        parallel: ["part-a", "part-b", "part-c"],
      },
    });
    // Two sleeps of a second each.
    expect(Date.parse(run.ended_at!) - Date.parse(run.run_started_at)).toBeGreaterThanOrEqual(
      1_900,
    );
    const names = (await api.steps(run.run_id)).map((step) => step.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "first",
        "add",
        "nap",
        "nap-until",
        "send",
        "call-child",
        "part-a",
        "part-b",
        "part-c",
      ]),
    );
    const { body } = await api.json<{ data: { data: Record<string, unknown> }[] }>(
      `/v1/events?name=${appId}/sent&limit=50`,
    );
    expect(body.data.some((event) => event.data.from === run.run_id)).toBe(true);
    const [child] = await runsOfFunction("child");
    expect(child).toMatchObject({ status: "Completed", output: { child_got: 15 } });
  });

  it.concurrent("wait_for_event: matched with if_exp, and timed out", async () => {
    const [id] = await send("waits", { id: 7 });
    const [run] = await api.started(id!);
    await waitForStep(api, run!.run_id, "approval", "waiting");
    await send("approved", { id: 8 });
    await send("approved", { id: 7, by: "ops" });
    const done = await runOf(id!);
    expect(done).toMatchObject({
      status: "Completed",
      output: { matched: { name: `${appId}/approved`, data: { id: 7, by: "ops" } }, missed: null },
    });
  });

  it.concurrent("retries: a failing step and a failing function are retried", async () => {
    const [plain, both] = await api.send([
      { name: `${appId}/retries`, data: {} },
      { name: `${appId}/retries`, data: { fail_function: true } },
    ]);
    expect(await runOf(plain!)).toMatchObject({
      status: "Completed",
      output: { step_attempt: 2, attempt: 0 },
    });
    const run = await runOf(both!);
    expect(run).toMatchObject({ status: "Completed", output: { step_attempt: 2, attempt: 1 } });
    const history = await api.history(run.run_id);
    expect(history.filter((entry) => entry.type === "step.errored")).toHaveLength(3);
  });

  it.concurrent("RetryAfterError: the next attempt waits for its retry_after", async () => {
    const [id] = await send("retry-after");
    const run = await runOf(id!);
    expect(run).toMatchObject({ status: "Completed", output: { attempt: 1 } });
    const output = run.output as { at: number };
    // retry_after is 2 s; the default backoff here would be 100 ms.
    expect(output.at * 1000 - Date.parse(run.run_started_at)).toBeGreaterThanOrEqual(1_800);
  });

  it.concurrent("NonRetriableError fails the run at once", async () => {
    const [id] = await send("non-retriable");
    const run = await runOf(id!);
    expect(run.status).toBe("Failed");
    expect(JSON.stringify(run.output)).toContain("no point in retrying");
    const history = await api.history(run.run_id);
    expect(history.filter((entry) => entry.type === "step.errored")).toHaveLength(0);
  });

  it.concurrent("on_failure runs with the error and the original event", async () => {
    const [id] = await send("failing", { order: 42 });
    const run = await runOf(id!);
    expect(run.status).toBe("Failed");
    const deadline = Date.now() + 20_000;
    let handler: ApiRun | undefined;
    while (Date.now() < deadline) {
      [handler] = await runsOfFunction("failing-failure");
      if (handler?.status === "Completed") break;
      await sleep(50);
    }
    expect(handler).toMatchObject({
      status: "Completed",
      output: { error: "failed on attempt 1", original: { order: 42 } },
    });
  });

  it.concurrent("a step that exhausts its retries raises a catchable StepError", async () => {
    const [id] = await send("step-error");
    const run = await runOf(id!);
    expect(run).toMatchObject({
      status: "Completed",
      output: { caught: "step broke on attempt 1" },
    });
    const steps = await api.steps(run.run_id);
    expect(steps.find((step) => step.name === "broken")).toMatchObject({ status: "failed" });
  });

  it.concurrent("a step's NonRetriableError fails the function at once", async () => {
    const [id] = await send("step-non-retriable");
    const run = await runOf(id!);
    expect(run.status).toBe("Failed");
    expect(JSON.stringify(run.output)).toContain("step gave up");
    const history = await api.history(run.run_id);
    expect(history.filter((entry) => entry.type === "step.errored")).toHaveLength(0);
  });

  it.concurrent("large state: 150 KiB steps and a 100 KiB event go through use_api", async () => {
    const payload = "x".repeat(100 * 1024);
    const [id] = await send("large", { kb: 150, payload });
    const run = await runOf(id!);
    expect(run).toMatchObject({
      status: "Completed",
      output: { event_kb: 100, lengths: [150 * 1024, 150 * 1024], intact: true },
    });
  });

  describe("flow control", () => {
    it.concurrent("cancel: a matching event cancels the sleeping run", async () => {
      const [keep, stop] = await api.send([
        { name: `${appId}/cancellable`, data: { id: "keep" } },
        { name: `${appId}/cancellable`, data: { id: "stop" } },
      ]);
      const [run] = await api.started(stop!);
      await waitForStep(api, run!.run_id, "hold", "sleeping");
      await send("cancel", { id: "stop" });
      expect((await runOf(stop!)).status).toBe("Cancelled");
      expect((await api.runsOf(keep!))[0]?.status).toBe("Running");
    });

    it.concurrent("concurrency: never more than two at once", async () => {
      const ids = await api.send(
        Array.from({ length: 6 }, (_, n) => ({ name: `${appId}/limited`, data: { n } })),
      );
      const runs = await Promise.all(ids.map((id) => runOf(id)));
      expect(runs.every((run) => run.status === "Completed")).toBe(true);
      expect(peakOverlap(runs.map((run) => run.output as Timed))).toBe(2);
    });

    it.concurrent("throttle: one start per second after the burst, none dropped", async () => {
      // The Python SDK registers burst=1 by default: two may start at once, then one a second.
      const ids = await api.send(
        Array.from({ length: 3 }, (_, n) => ({ name: `${appId}/throttled`, data: { n } })),
      );
      const runs = await Promise.all(ids.map((id) => runOf(id)));
      expect(runs.every((run) => run.status === "Completed")).toBe(true);
      const starts = runs.map((run) => (run.output as Timed).start).sort((a, b) => a - b);
      expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(0.85);
    });

    it.concurrent("rate_limit: the excess per key is dropped", async () => {
      const ids = await api.send([
        { name: `${appId}/rate-limited`, data: { user: "u1", n: 1 } },
        { name: `${appId}/rate-limited`, data: { user: "u1", n: 2 } },
        { name: `${appId}/rate-limited`, data: { user: "u2", n: 3 } },
      ]);
      expect((await runOf(ids[0]!)).output).toBe(1);
      expect((await runOf(ids[2]!)).output).toBe(3);
      await sleep(300);
      expect(await api.runsOf(ids[1]!)).toEqual([]);
    });

    it.concurrent("debounce: one run per key, with the latest event", async () => {
      for (const version of [1, 2, 3]) {
        await api.send([
          { name: `${appId}/debounced`, data: { doc: "d1", version } },
          { name: `${appId}/debounced`, data: { doc: "d2", version: version * 10 } },
        ]);
        await sleep(150);
      }
      const deadline = Date.now() + 15_000;
      let runs: ApiRun[] = [];
      while (Date.now() < deadline) {
        runs = (await runsOfFunction("debounced")).filter((run) => run.status === "Completed");
        if (runs.length >= 2) break;
        await sleep(100);
      }
      await sleep(1_200);
      runs = await runsOfFunction("debounced");
      expect(runs.map((run) => run.output).sort()).toEqual([3, 30]);
    });

    it.concurrent("batch_events: full batches at once, the rest after the timeout", async () => {
      await api.send(
        Array.from({ length: 4 }, (_, n) => ({ name: `${appId}/batched`, data: { n } })),
      );
      const deadline = Date.now() + 15_000;
      let outputs: number[][] = [];
      while (Date.now() < deadline) {
        const runs = await runsOfFunction("batched");
        outputs = runs
          .filter((run) => run.status === "Completed")
          .map((run) => run.output as number[]);
        if (outputs.flat().length >= 4) break;
        await sleep(100);
      }
      expect(outputs.map((batch) => batch.length).sort()).toEqual([1, 3]);
      expect(outputs.flat().sort()).toEqual([0, 1, 2, 3]);
    });

    it.concurrent("priority: under contention the higher priority starts first", async () => {
      const [blocker] = await send("prioritized", { name: "blocker", priority: 0 });
      await api.started(blocker!);
      await sleep(200);
      const ids = await api.send([
        { name: `${appId}/prioritized`, data: { name: "low", priority: -100 } },
        { name: `${appId}/prioritized`, data: { name: "mid", priority: 0 } },
        { name: `${appId}/prioritized`, data: { name: "high", priority: 300 } },
      ]);
      const runs = await Promise.all([blocker!, ...ids].map((id) => runOf(id)));
      const order = runs
        .map((run, index) => ({ index, start: (run.output as Timed).start }))
        .sort((a, b) => a.start - b.start)
        .map((entry) => ["blocker", "low", "mid", "high"][entry.index]);
      expect(order).toEqual(["blocker", "high", "mid", "low"]);
    });

    it.concurrent("idempotency: one run per key", async () => {
      const ids = await api.send([
        { name: `${appId}/idempotent`, data: { key: "k1", copy: 1 } },
        { name: `${appId}/idempotent`, data: { key: "k1", copy: 2 } },
        { name: `${appId}/idempotent`, data: { key: "k2", copy: 3 } },
      ]);
      expect((await runOf(ids[0]!)).output).toBe(1);
      expect((await runOf(ids[2]!)).output).toBe(3);
      await sleep(300);
      expect(await api.runsOf(ids[1]!)).toEqual([]);
    });
  });
});

async function waitForStep(api: IngotApi, runId: string, name: string, status: string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await api.steps(runId)).some((step) => step.name === name && step.status === status))
      return;
    await sleep(25);
  }
  throw new Error(`step ${name} of run ${runId} never reached ${status}`);
}
