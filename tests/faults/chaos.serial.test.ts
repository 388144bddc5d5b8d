import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestPostgres } from "../../packages/store-postgres/test/postgres.js";
import { IngotApi, sleep } from "../conformance/harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "../conformance/harness/app.js";
import { type IngotProcess, startIngot } from "../conformance/harness/ingot.js";

/**
 * Chaos on many nodes (issue "correctness under faults"): three nodes on one Postgres, traffic
 * the whole time, a random node killed (-9) and restarted every few seconds, the app re-synced
 * through random nodes meanwhile. Every acknowledged event must run to completion exactly once:
 * 0 lost, 0 duplicate runs. Steps that ran twice are counted (only a step in flight on a killed
 * node may).
 */

const DURATION_MS = 30_000;
const KILL_EVERY_MS = 4_000;
const SYNC_EVERY_MS = 3_000;

/** A reverse proxy to whichever nodes are up, standing in for a load balancer. */
class Balancer {
  private server!: Server;
  url = "";
  private next = 0;

  constructor(private readonly targets: () => { port: number; up: boolean }[]) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const live = this.targets().filter((target) => target.up);
      const target = live[this.next++ % Math.max(1, live.length)];
      if (!target) {
        res.writeHead(503).end();
        return;
      }
      const upstream = httpRequest(
        {
          host: "127.0.0.1",
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe("chaos: kill -9 of random nodes and syncs during traffic", () => {
  let pg: TestPostgres;
  const nodes: { process: IngotProcess; up: boolean }[] = [];
  let balancer: Balancer;
  let app: RunningApp;

  beforeAll(async () => {
    pg = await TestPostgres.start();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await balancer?.close();
    await Promise.all(nodes.map((node) => node.process.stop()));
    await pg?.stop();
  });

  it("loses no acknowledged event and starts no run twice", async () => {
    const db = await pg.createDatabase();
    for (let i = 0; i < 3; i++) {
      nodes.push({
        process: await startIngot({
          args: ["--postgres-uri", db.url],
          env: { INGOT_LOG_LEVEL: "warn" },
        }),
        up: true,
      });
    }
    balancer = new Balancer(() => nodes.map((node) => ({ port: node.process.port, up: node.up })));
    await balancer.start();
    const api = new IngotApi(balancer.url);

    const executions = new Map<string, number>();
    const client = new Inngest({ id: "chaos", isDev: true, baseUrl: balancer.url });
    const fn = client.createFunction(
      { id: "flow", retries: 20, triggers: [{ event: "chaos/go" }] },
      async ({ step, runId }) => {
        const count = (name: string) => () => {
          const key = `${runId}:${name}`;
          executions.set(key, (executions.get(key) ?? 0) + 1);
          return name;
        };
        await step.run("a", count("a"));
        await step.sleep("pause", "300ms");
        await step.run("b", count("b"));
        return "done";
      },
    );
    app = await serveApp({ handler: serveV4({ client, functions: [fn] }) });
    await api.syncApp(app.url);

    const acked: string[] = [];
    let refused = 0;
    let kills = 0;
    let syncs = 0;
    const until = Date.now() + DURATION_MS;
    const sender = (async () => {
      for (let n = 0; Date.now() < until; n++) {
        const live = nodes.filter((node) => node.up);
        const node = live[n % live.length];
        if (node) {
          try {
            const batch = Array.from({ length: 5 }, (_, i) => ({
              name: "chaos/go",
              data: { n, i },
            }));
            acked.push(...(await new IngotApi(node.process.url).send(batch)));
          } catch {
            refused++; // not acknowledged: the sender knows and may retry; it is not lost
          }
        }
        await sleep(200);
      }
    })();
    const killer = (async () => {
      while (Date.now() < until - KILL_EVERY_MS) {
        await sleep(KILL_EVERY_MS);
        const victim = nodes[Math.floor(Math.random() * nodes.length)]!;
        victim.up = false;
        await victim.process.kill();
        kills++;
        await sleep(500);
        await victim.process.restart();
        victim.up = true;
      }
    })();
    const resyncer = (async () => {
      while (Date.now() < until) {
        await sleep(SYNC_EVERY_MS);
        const live = nodes.filter((node) => node.up);
        const node = live[Math.floor(Math.random() * live.length)];
        if (!node) continue;
        const answer = await new IngotApi(node.process.url)
          .json("/v1/apps", { method: "POST", body: JSON.stringify({ url: app.url }) })
          .catch(() => undefined);
        if (answer?.status === 200) syncs++;
      }
    })();
    await Promise.all([sender, killer, resyncer]);

    // Every acknowledged event: exactly one run, completed.
    const deadline = Date.now() + 120_000;
    let lost: string[] = [];
    let duplicateRuns = 0;
    for (;;) {
      lost = [];
      duplicateRuns = 0;
      for (let i = 0; i < acked.length; i += 50) {
        const slice = acked.slice(i, i + 50);
        const runs = await Promise.all(slice.map((id) => api.runsOf(id)));
        runs.forEach((list, index) => {
          if (list.length > 1) duplicateRuns++;
          if (list.length === 0 || list.some((run) => run.status !== "Completed"))
            lost.push(slice[index]!);
        });
      }
      if (lost.length === 0 || Date.now() > deadline) break;
      await sleep(1_000);
    }
    const duplicateSteps = [...executions.values()].filter((count) => count > 1).length;
    console.log(
      `chaos: ${acked.length} events acknowledged (${refused} sends refused while a node was down), ${kills} kill -9, ${syncs} syncs; ${acked.length - lost.length} completed, ${lost.length} lost, ${duplicateRuns} duplicate runs, ${duplicateSteps} steps run twice (in flight on a killed node)`,
    );
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(acked.length).toBeGreaterThan(200);
    expect(lost).toEqual([]);
    expect(duplicateRuns).toBe(0);
    expect([...executions.values()].every((count) => count <= 2)).toBe(true);
  }, 240_000);
});
