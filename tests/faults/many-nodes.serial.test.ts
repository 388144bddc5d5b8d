import { AsyncLocalStorage } from "node:async_hooks";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openai } from "@inngest/ai";
import { Inngest } from "inngest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestPostgres } from "../../packages/store-postgres/test/postgres.js";
import { type ApiRun, IngotApi, sleep } from "../conformance/harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "../conformance/harness/app.js";
import { type IngotProcess, startIngot } from "../conformance/harness/ingot.js";

/**
 * Issue "correctness under faults", items 1–3 with several nodes on one Postgres, default
 * settings: events sent to any node right after a sync on another all run; a killed node's work
 * is taken over within seconds; a cancel on one node stops a model call running on another.
 */

const requestNode = new AsyncLocalStorage<string>();

describe("many nodes, default settings", () => {
  let pg: TestPostgres;
  let nodes: IngotProcess[] = [];
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    pg = await TestPostgres.start();
  }, 60_000);

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(nodes.map((node) => node.stop()));
    nodes = [];
  });

  afterAll(async () => {
    await pg?.stop();
  });

  async function startNodes(count: number): Promise<IngotApi[]> {
    const db = await pg.createDatabase();
    nodes = await Promise.all(
      Array.from({ length: count }, () =>
        startIngot({ args: ["--postgres-uri", db.url], env: { INGOT_LOG_LEVEL: "warn" } }),
      ),
    );
    return nodes.map((node) => new IngotApi(node.url));
  }

  async function serve(client: Inngest, functions: Parameters<typeof serveV4>[0]["functions"]) {
    const handler = serveV4({ client, functions });
    const app = await serveApp({
      handler: (req, res, next) => {
        const node = req.headers["x-ingot-node"];
        requestNode.run(typeof node === "string" ? node : "", () => handler(req, res, next));
      },
    });
    apps.push(app);
    return app.url;
  }

  async function settledAll(api: IngotApi, ids: string[], timeoutMs: number): Promise<ApiRun[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const runs = (await Promise.all(ids.map((id) => api.runsOf(id)))).flat();
      if (runs.length === ids.length && runs.every((run) => run.status === "Completed"))
        return runs;
      if (Date.now() > deadline)
        throw new Error(
          `${runs.filter((run) => run.status === "Completed").length} of ${ids.length} runs completed`,
        );
      await sleep(100);
    }
  }

  it("runs every event sent to node B right after an app synced on node A (5 trials)", async () => {
    const [a, b] = await startNodes(2);
    for (let trial = 0; trial < 5; trial++) {
      const client = new Inngest({ id: `route-${trial}`, isDev: true, baseUrl: nodes[0]!.url });
      const fn = client.createFunction(
        { id: "echo", triggers: [{ event: `route/${trial}` }] },
        async ({ event }) => event.data.n as number,
      );
      await a!.syncApp(await serve(client, [fn]));
      // No pause: the events reach B within milliseconds of the sync committing on A.
      const ids = await b!.send(
        Array.from({ length: 20 }, (_, n) => ({ name: `route/${trial}`, data: { n } })),
      );
      const runs = await settledAll(b!, ids, 20_000);
      expect(runs.map((run) => run.output).sort((x, y) => Number(x) - Number(y))).toEqual(
        Array.from({ length: 20 }, (_, n) => n),
      );
    }
  }, 120_000);

  it("records an event that matches no function instead of dropping it", async () => {
    const [a] = await startNodes(1);
    const [id] = await a!.send({ name: "route/nobody-listens" });
    const deadline = Date.now() + 10_000;
    let event: { routed_at: string | null; functions_triggered: number | null } | undefined;
    while (Date.now() < deadline) {
      event = (await a!.json<{ data: typeof event }>(`/v1/events/${id}`)).body.data;
      if (event?.routed_at) break;
      await sleep(50);
    }
    expect(event).toMatchObject({ routed_at: expect.any(String), functions_triggered: 0 });
  });

  it("takes over a killed node's work within seconds, running no finished step again", async () => {
    const [a, b] = await startNodes(2);
    const executions: { runId: string; step: string; node: string }[] = [];
    // The app reaches Ingot through B (as through a load balancer that stopped sending to A).
    const client = new Inngest({ id: "takeover", isDev: true, baseUrl: nodes[1]!.url });
    const fn = client.createFunction(
      { id: "work", retries: 5, triggers: [{ event: "takeover/go" }] },
      async ({ step, runId }) => {
        const record = (name: string) => () => {
          executions.push({ runId, step: name, node: requestNode.getStore() ?? "" });
        };
        await step.run("before", record("before"));
        await step.run("slow", async () => {
          record("slow")();
          await sleep(1_500);
        });
        await step.run("after", record("after"));
        return "done";
      },
    );
    await a!.syncApp(await serve(client, [fn]));
    const nodeA = ((await (await fetch(`${nodes[0]!.url}/health`)).json()) as { node: string })
      .node;
    const ids = await a!.send(Array.from({ length: 20 }, () => ({ name: "takeover/go" })));
    // Wait until node A is in the middle of the slow steps, then kill it.
    const deadline = Date.now() + 15_000;
    while (executions.filter((e) => e.step === "slow" && e.node === nodeA).length < 5) {
      if (Date.now() > deadline) throw new Error("node A never ran the slow steps");
      await sleep(20);
    }
    const killedAt = Date.now();
    await nodes[0]!.kill();
    const runs = await settledAll(b!, ids, 60_000);
    const takeoverMs = Date.now() - killedAt;
    console.log(`takeover: all ${runs.length} runs completed ${takeoverMs} ms after the kill -9`);
    // Default lease 6 s, renewed every 2 s, reaped every 2 s: about 8 s; generous bound here,
    // the figure itself is reported.
    expect(takeoverMs).toBeLessThan(30_000);
    // A step runs twice only when one of the runs was the dead node's request in flight.
    for (const run of runs) {
      for (const name of ["before", "slow", "after"]) {
        const list = executions.filter((e) => e.runId === run.run_id && e.step === name);
        expect(list.length, `${run.run_id} ${name}`).toBeGreaterThanOrEqual(1);
        expect(list.length, `${run.run_id} ${name}`).toBeLessThanOrEqual(2);
        if (list.length === 2) expect(list.some((e) => e.node === nodeA)).toBe(true);
      }
    }
  }, 120_000);

  it("a cancel on node B stops the model call node A is making, within a second", async () => {
    let hungUp: number | undefined;
    let received = 0;
    const provider: Server = createServer((_req, res) => {
      received++;
      res.on("close", () => {
        if (!res.writableEnded) hungUp = Date.now();
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
    const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
    try {
      const [a, b] = await startNodes(2);
      const client = new Inngest({ id: "xcancel", isDev: true, baseUrl: nodes[0]!.url });
      const fn = client.createFunction(
        { id: "ask", retries: 0, triggers: [{ event: "xcancel/ask" }] },
        async ({ step }) =>
          step.ai.infer("think", {
            model: openai({ model: "m", apiKey: "sk-x-node", baseUrl: `${providerUrl}/v1/` }),
            body: { messages: [{ role: "user", content: "slowly" }] },
          }),
      );
      await a!.syncApp(await serve(client, [fn]));
      // Sent to A: A routes it and, with room, makes the call itself.
      const [id] = await a!.send({ name: "xcancel/ask" });
      const [run] = await a!.started(id!);
      const deadline = Date.now() + 10_000;
      while (received === 0) {
        if (Date.now() > deadline) throw new Error("the model call never started");
        await sleep(10);
      }
      const cancelledAt = Date.now();
      expect((await b!.json(`/v1/runs/${run!.run_id}`, { method: "DELETE" })).status).toBe(200);
      while (hungUp === undefined && Date.now() < cancelledAt + 5_000) await sleep(10);
      expect(hungUp).toBeDefined();
      expect(hungUp! - cancelledAt).toBeLessThan(1_000);
    } finally {
      provider.closeAllConnections();
      await new Promise((resolve) => provider.close(resolve));
    }
  }, 60_000);
});
