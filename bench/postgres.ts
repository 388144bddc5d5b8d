import { Inngest } from "inngest";
import { request } from "undici";
import { TestPostgres } from "../packages/store-postgres/test/postgres.js";
import { serveFunctions, syncApp } from "./lib/app.js";
import { type BenchServer, startIngot } from "./lib/ingot.js";
import { cpuMs } from "./lib/stats.js";

export interface PostgresThroughput {
  nodes: number;
  runs: number;
  stepsPerSecond: number;
  seconds: number;
  serverCpuPct: number;
}

/**
 * Steps/s of a 3-step function on Postgres with `nodes` Ingot processes sharing one database
 * (a local Postgres 15, fsync on), events spread over the nodes, official SDK app co-located.
 */
export async function benchPostgres(options: {
  nodes: number[];
  runs: number;
}): Promise<PostgresThroughput[]> {
  const pg = await TestPostgres.start();
  const results: PostgresThroughput[] = [];
  try {
    for (const count of options.nodes) {
      const db = await pg.createDatabase();
      const servers: BenchServer[] = [];
      for (let i = 0; i < count; i++) servers.push(await startIngot(["--postgres-uri", db.url]));
      const inngest = new Inngest({
        id: `bench-pg-${count}`,
        isDev: true,
        baseUrl: servers[0]!.url,
      });
      let finished = 0;
      let done: (() => void) | undefined;
      const fn = inngest.createFunction(
        { id: "three", retries: 0, triggers: [{ event: "bench/pg" }] },
        async ({ step }) => {
          const a = await step.run("a", () => 1);
          const b = await step.run("b", () => a + 1);
          await step.run("c", () => {
            finished++;
            if (finished === options.runs) done?.();
            return b + 1;
          });
        },
      );
      const app = await serveFunctions(inngest, [fn]);
      try {
        await syncApp(servers[0]!.url, app.url);
        await new Promise((resolve) => setTimeout(resolve, 2_500)); // other nodes see the sync
        const cpuBefore = servers.map((server) => cpuMs(server.pid));
        const started = performance.now();
        const all = new Promise<void>((resolve) => {
          done = resolve;
        });
        for (let offset = 0; offset < options.runs; offset += 500) {
          const server = servers[(offset / 500) % servers.length]!;
          const batch = Array.from({ length: Math.min(500, options.runs - offset) }, () => ({
            name: "bench/pg",
          }));
          const response = await request(`${server.url}/e/bench`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(batch),
          });
          await response.body.dump();
        }
        await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 300_000))]);
        const seconds = (performance.now() - started) / 1000;
        const cpu = servers.reduce((sum, server, i) => sum + cpuMs(server.pid) - cpuBefore[i]!, 0);
        results.push({
          nodes: count,
          runs: finished,
          seconds,
          stepsPerSecond: (finished * 3) / seconds,
          serverCpuPct: (cpu / (seconds * 1000)) * 100,
        });
      } finally {
        await app.close();
        await Promise.all(servers.map((server) => server.stop()));
      }
    }
  } finally {
    await pg.stop();
  }
  return results;
}
