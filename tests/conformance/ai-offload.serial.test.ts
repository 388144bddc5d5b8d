import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";
import { type SimProcess, startSimProcess } from "./harness/sim-process.js";

const RUNS = 1_000;
const LATENCY_MS = 2_000;
const WARMUP = 50;
const APP = fileURLToPath(new URL("./apps/offload-app.ts", import.meta.url));

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * 1,000 runs each waiting 2 s on a model: the calls are in flight in Ingot, not in the app, so
 * all finish in a few seconds while the app holds (almost) no open requests.
 *
 * Ingot, the app and the provider simulator each run in a process of their own, as they would
 * be deployed. The app gets a plain environment: the official SDK scans `process.env` several
 * times per request, and the test runner's own variables would make the app slower than any
 * deployed one.
 */
describe("AI offload", () => {
  let sim: SimProcess;
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: ChildProcess;
  let appStats = { open: 0, finished: 0 };

  beforeAll(async () => {
    sim = await startSimProcess({ latencyMs: LATENCY_MS });
    ingot = await startIngot({ env: { INGOT_LOG_LEVEL: "warn" } });
    api = new IngotApi(ingot.url);
    app = fork(APP, [], {
      execArgv: ["--import", "tsx"],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        OFFLOAD_INGOT_URL: ingot.url,
        OFFLOAD_SIM_URL: sim.url,
      },
    });
    const appUrl = await new Promise<string>((resolve, reject) => {
      app.on("message", (message: { url?: string; open?: number; finished?: number }) => {
        if (message.url) resolve(message.url);
        else appStats = { open: message.open ?? 0, finished: message.finished ?? 0 };
      });
      app.once("exit", (code) => reject(new Error(`the app exited with ${code}`)));
    });
    await api.syncApp(appUrl);
    // A deployed app and server are warm: let both compile their hot paths on a few runs first.
    await api.send(
      Array.from({ length: WARMUP }, (_, n) => ({ name: "offload/think", data: { n } })),
    );
    const deadline = Date.now() + 20_000;
    while (appStats.finished < WARMUP && Date.now() < deadline) await sleep(50);
    expect(appStats.finished).toBe(WARMUP);
  });

  afterAll(async () => {
    app?.kill();
    await ingot?.stop();
    await sim?.close();
  });

  it(`finishes ${RUNS} concurrent step.ai.infer runs with ${LATENCY_MS} ms model latency in under 10 s`, async () => {
    // The sim counts requests it holds (the model "thinking"); the app counts its own.
    const simHealth = async () =>
      ((await (await fetch(`${sim.url}/__sim/health`)).json()) as { inFlight: number }).inFlight;
    const samples: { at: number; open: number; thinking: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ at: Date.now(), open: appStats.open, thinking: await simHealth() });
        await sleep(20);
      }
    })();
    const started = Date.now();
    const ids: string[] = [];
    for (let offset = 0; offset < RUNS; offset += 250) {
      ids.push(
        ...(await api.send(
          Array.from({ length: 250 }, (_, i) => ({
            name: "offload/think",
            data: { n: offset + i },
          })),
        )),
      );
    }
    let peakRss = 0;
    const finished = () => appStats.finished - WARMUP;
    while (finished() < RUNS && Date.now() - started < 20_000) {
      peakRss = Math.max(peakRss, rssMiB(ingot.pid()));
      await sleep(100);
    }
    const elapsed = Date.now() - started;
    sampling = false;
    await sampler;
    // When the most model calls were in flight at once, how many requests did the app hold?
    const peak = samples.reduce((best, s) => (s.thinking > best.thinking ? s : best), samples[0]!);
    process.stdout.write(
      `offload: ${RUNS} runs in ${elapsed} ms; peak ${peak.thinking} model calls in flight while the app held ` +
        `${peak.open} open requests; server RSS peak ${peakRss.toFixed(0)} MiB\n`,
    );
    expect(finished()).toBe(RUNS);
    expect(elapsed).toBeLessThan(10_000);
    // Hundreds of model calls at once (their 2 s overlap), none of them held by the app.
    expect(peak.thinking).toBeGreaterThanOrEqual(RUNS * 0.3);
    expect(peak.open).toBeLessThanOrEqual(5);
    // Short leases (6 s, renewed every 2 s) held for a thousand calls under full load.
    expect(ingot.logs()).not.toContain("lost leases");
    const sample = await Promise.all(ids.slice(0, 20).map((id) => api.settled(id)));
    expect(
      sample
        .flat()
        .every(
          (run) => run.status === "Completed" && String(run.output).startsWith("echo: question"),
        ),
    ).toBe(true);
  }, 60_000);
});
