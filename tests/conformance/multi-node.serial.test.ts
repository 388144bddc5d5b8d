import { AsyncLocalStorage } from "node:async_hooks";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestPostgres } from "../../packages/store-postgres/test/postgres.js";
import { type ApiRun, IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

interface Execution {
  runId: string;
  step: string;
  startedAt: number;
  /** The node whose request ran it (`x-ingot-node`). */
  node: string;
}

/** The node of the request being handled, for the step bodies below. */
const requestNode = new AsyncLocalStorage<string>();

const RUNS = 500;

/**
 * Several Ingot nodes on one Postgres share the work. One node is killed (-9) mid-load, then
 * Postgres itself restarts: every accepted event's run completes, and no completed step runs
 * twice — only a step in flight on the dead node may run again.
 */
describe("many nodes on one Postgres", () => {
  let pg: TestPostgres;
  const nodes: IngotProcess[] = [];
  let app: RunningApp | undefined;
  const executions: Execution[] = [];

  beforeAll(async () => {
    pg = await TestPostgres.start();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all(nodes.map((node) => node.stop()));
    await pg?.stop();
  });

  async function startNodes(count: number, url: string): Promise<IngotApi[]> {
    for (let i = 0; i < count; i++) {
      nodes.push(
        await startIngot({
          args: ["--postgres-uri", url],
          env: { INGOT_LOG_LEVEL: "warn" },
        }),
      );
    }
    return nodes.map((node) => new IngotApi(node.url));
  }

  async function serve(baseUrl: string, id: string): Promise<string> {
    const inngest = new Inngest({ id, isDev: true, baseUrl });
    const step = (runId: string, name: string, value: number) => async () => {
      executions.push({
        runId,
        step: name,
        startedAt: Date.now(),
        node: requestNode.getStore() ?? "",
      });
      await sleep(30);
      return value;
    };
    const fn = inngest.createFunction(
      { id: "flow", retries: 10, triggers: [{ event: "nodes/go" }] },
      async ({ step: tools, runId }) => {
        const a = await tools.run("a", step(runId, "a", 1));
        await tools.sleep("nap", "1s");
        const b = await tools.run("b", step(runId, "b", a + 1));
        await tools.sleep("nap-2", "1s");
        const c = await tools.run("c", step(runId, "c", b + 1));
        return c;
      },
    );
    const handler = serveV4({ client: inngest, functions: [fn] });
    app = await serveApp({
      handler: (req, res, next) => {
        const node = req.headers["x-ingot-node"];
        requestNode.run(typeof node === "string" ? node : "", () => handler(req, res, next));
      },
    });
    return app.url;
  }

  async function allRuns(api: IngotApi, ids: string[]): Promise<ApiRun[]> {
    const runs: ApiRun[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      const batch = await Promise.all(ids.slice(i, i + 50).map((id) => api.runsOf(id)));
      runs.push(...batch.flat());
    }
    return runs;
  }

  async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error("timed out");
      await sleep(500);
    }
  }

  it(`${RUNS} runs on 3 nodes; one node is killed midway; every run completes`, async () => {
    const db = await pg.createDatabase();
    const apis = await startNodes(3, db.url);
    const appUrl = await serve(nodes[0]!.url, "nodes");
    // No pause: every node routes against the store's function list (and hears the sync).
    await apis[0]!.syncApp(appUrl);

    const ids: string[] = [];
    for (let i = 0; i < RUNS; i += 50) {
      const api = apis[(i / 50) % apis.length]!;
      ids.push(
        ...(await api.send(
          Array.from({ length: 50 }, (_, n) => ({ name: "nodes/go", data: { n: i + n } })),
        )),
      );
    }
    await sleep(1_500);
    const killed = ((await (await fetch(`${nodes[2]!.url}/health`)).json()) as { node: string })
      .node;
    await nodes[2]!.kill();

    await until(async () => {
      const runs = await allRuns(apis[1]!, ids);
      return runs.length === RUNS && runs.every((run) => run.status === "Completed");
    }, 90_000);
    const runs = await allRuns(apis[0]!, ids);
    expect(runs.filter((run) => run.status !== "Completed")).toEqual([]);
    expect(runs.every((run) => run.output === 3)).toBe(true);

    const byStep = new Map<string, Execution[]>();
    for (const execution of executions) {
      const key = `${execution.runId}:${execution.step}`;
      byStep.set(key, [...(byStep.get(key) ?? []), execution]);
    }
    for (const run of runs)
      for (const name of ["a", "b", "c"]) expect(byStep.has(`${run.run_id}:${name}`)).toBe(true);
    const completedAt = new Map<string, number>();
    for (const [key, list] of byStep) {
      if (list.length === 1) continue;
      const [runId = "", name = ""] = key.split(":");
      if (!completedAt.has(`${runId}:${name}`)) {
        for (const step of await apis[0]!.steps(runId)) {
          completedAt.set(
            `${runId}:${step.name}`,
            Date.parse(String((step as { ended_at?: string }).ended_at)),
          );
        }
      }
      // A step runs a second time only because of a request the killed node had sent: the app
      // (overloaded, like the whole machine) may get to it after the kill, even after the
      // step's result was stored; its checkpoint is then refused. No other request runs a
      // stored step again.
      expect(list, key).toHaveLength(2);
      const stored = completedAt.get(`${runId}:${name}`)!;
      for (const execution of list) {
        if (execution.startedAt > stored) expect(execution.node, key).toBe(killed);
      }
      expect(
        list.some((execution) => execution.node === killed),
        key,
      ).toBe(true);
    }
  }, 180_000);

  it("keeps going through a Postgres restart without losing accepted events", async () => {
    const accepted: string[] = [];
    const api = new IngotApi(nodes[0]!.url);
    let sending = true;
    const sender = (async () => {
      let n = 0;
      while (sending) {
        try {
          accepted.push(...(await api.send({ name: "nodes/go", data: { restart: n++ } })));
        } catch {
          // Postgres is down: the event was refused, not accepted; keep trying.
        }
        await sleep(50);
      }
    })();
    await sleep(1_500);
    await pg.restart();
    await sleep(2_000);
    sending = false;
    await sender;
    expect(accepted.length).toBeGreaterThan(20);
    await until(async () => {
      const runs = await allRuns(api, accepted);
      return runs.length === accepted.length && runs.every((run) => run.status === "Completed");
    }, 90_000);
  }, 180_000);
});
