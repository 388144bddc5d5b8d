import { Inngest } from "inngest";
import { afterAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

interface Execution {
  runId: string;
  step: string;
  startedAt: number;
  endedAt?: number;
}

/**
 * kill -9 the server while runs are in steps, sleeping and waiting; restart it on the same data
 * directory. Every accepted event's run finishes, and a completed step never runs again — only
 * a step that was in flight at the moment of death may run a second time (invariant 3).
 */
describe("crash safety (kill -9)", () => {
  let ingot: IngotProcess | undefined;
  let app: RunningApp | undefined;

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
  });

  it("finishes every run and re-runs at most the in-flight step", async () => {
    ingot = await startIngot();
    const api = new IngotApi(ingot.url);
    const executions: Execution[] = [];
    const inngest = new Inngest({ id: "crashy", isDev: true, baseUrl: ingot.url });
    const step =
      <T>(runId: string, name: string, ms: number, value: T) =>
      async (): Promise<T> => {
        const execution: Execution = { runId, step: name, startedAt: Date.now() };
        executions.push(execution);
        await sleep(ms);
        execution.endedAt = Date.now();
        return value;
      };
    const fn = inngest.createFunction(
      { id: "flow", retries: 10, triggers: [{ event: "crash/start" }] },
      async ({ event, step: tools, runId }) => {
        const a = await tools.run("a", step(runId, "a", 20, 1));
        const b = await tools.run("b", step(runId, "b", 150, a + 1));
        await tools.sleep("nap", "1s");
        const approval = await tools.waitForEvent("approval", {
          event: "crash/approve",
          match: "data.n",
          timeout: "60s",
        });
        const c = await tools.run("c", step(runId, "c", 50, b + 1));
        return { c, approved: approval?.data.n === event.data.n };
      },
    );
    app = await serveApp({ handler: serveV4({ client: inngest, functions: [fn] }) });
    await api.syncApp(app.url);

    // A steady stream of events, some accepted just before the crash.
    const accepted: string[] = [];
    let sending = true;
    let n = 0;
    const sender = (async () => {
      while (sending) {
        const current = n++;
        try {
          const response = await fetch(`${ingot.url}/e/key`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "crash/start", data: { n: current } }),
          });
          if (response.status === 200)
            accepted.push(...((await response.json()) as { ids: string[] }).ids);
        } catch {
          // The server is down; keep trying.
        }
        await sleep(15);
      }
    })();

    await sleep(1_500);
    // Approve a few early runs before the crash, so some runs are past their wait.
    await api.send(
      Array.from({ length: 10 }, (_, i) => ({ name: "crash/approve", data: { n: i } })),
    );
    await sleep(300);
    await ingot.kill();
    const killedAt = Date.now();
    await sleep(500);
    await ingot.restart();
    const restartedAt = Date.now();
    await sleep(700);
    sending = false;
    await sender;

    // Approve everything else (an approval sent before a run reaches its wait is not seen).
    const approveAll = () =>
      api.send(Array.from({ length: n }, (_, i) => ({ name: "crash/approve", data: { n: i } })));
    // Some events were accepted around the crash (how many depends on the machine's speed).
    expect(accepted.length).toBeGreaterThan(10);
    const deadline = Date.now() + 60_000;
    let runs: Awaited<ReturnType<IngotApi["runsOf"]>>[] = [];
    while (Date.now() < deadline) {
      await approveAll();
      runs = await Promise.all(accepted.map((id) => api.runsOf(id)));
      if (runs.every((list) => list.length === 1 && list[0]!.status === "Completed")) break;
      await sleep(500);
    }
    const flat = runs.flat();
    expect(flat).toHaveLength(accepted.length);
    expect(flat.filter((run) => run.status !== "Completed")).toEqual([]);
    for (const run of flat) expect(run.output).toMatchObject({ c: 3, approved: true });

    const byStep = new Map<string, Execution[]>();
    for (const execution of executions) {
      const key = `${execution.runId}:${execution.step}`;
      byStep.set(key, [...(byStep.get(key) ?? []), execution]);
    }
    const repeated = [...byStep.entries()].filter(([, list]) => list.length > 1);
    for (const [key, list] of repeated) {
      // Only a step that was running when the server died may run again, and only once more.
      expect(list, key).toHaveLength(2);
      expect(list[0]!.startedAt, key).toBeLessThan(killedAt);
      expect(list[1]!.startedAt, key).toBeGreaterThanOrEqual(restartedAt - 100);
    }
    const repeatsPerRun = new Map<string, number>();
    for (const [key] of repeated) {
      const runId = key.split(":")[0]!;
      repeatsPerRun.set(runId, (repeatsPerRun.get(runId) ?? 0) + 1);
    }
    expect([...repeatsPerRun.values()].every((count) => count === 1)).toBe(true);
    // Every run ran each of its steps.
    for (const run of flat) {
      for (const name of ["a", "b", "c"])
        expect(byStep.has(`${run.run_id}:${name}`), `${run.run_id}:${name}`).toBe(true);
    }
  }, 120_000);
});
