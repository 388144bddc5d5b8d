import { readFileSync } from "node:fs";
import { openai } from "@inngest/ai";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import type { RequestHandler } from "express";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

const RUNS = 1_000;
const LATENCY_MS = 2_000;

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * 1,000 runs each waiting 2 s on a model: the calls are in flight in Ingot, not in the app, so
 * all finish in a few seconds while the app holds (almost) no open requests.
 */
describe("AI offload", () => {
  let sim: LlmSim;
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;
  let open = 0;
  const samples: { at: number; open: number; thinking: number }[] = [];
  let finished = 0;

  beforeAll(async () => {
    sim = await startLlmSim({ latencyMs: LATENCY_MS, record: false });
    ingot = await startIngot({ env: { INGOT_LOG_LEVEL: "warn" } });
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "offload", isDev: true, baseUrl: ingot.url });
    const fn = inngest.createFunction(
      { id: "think", triggers: [{ event: "offload/think" }] },
      async ({ event, step }) => {
        const answer = await step.ai.infer("think", {
          model: openai({ model: "gpt-4o-mini", apiKey: "sk-offload", baseUrl: `${sim.url}/v1/` }),
          body: { messages: [{ role: "user", content: `question ${String(event.data.n)}` }] },
        });
        finished++;
        return answer.choices[0]?.message.content;
      },
    );
    const serve = serveV4({ client: inngest, functions: [fn] });
    const counting: RequestHandler = (req, res, next) => {
      open++;
      res.on("close", () => open--);
      serve(req, res, next);
    };
    app = await serveApp({ handler: counting });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await sim?.close();
  });

  it(`finishes ${RUNS} concurrent step.ai.infer runs with ${LATENCY_MS} ms model latency in under 10 s`, async () => {
    // The sim counts requests it holds (the model "thinking"); the app counts its own.
    const simHealth = async () =>
      ((await (await fetch(`${sim.url}/__sim/health`)).json()) as { inFlight: number }).inFlight;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ at: Date.now(), open, thinking: await simHealth() });
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
    while (finished < RUNS && Date.now() - started < 20_000) {
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
    expect(finished).toBe(RUNS);
    expect(elapsed).toBeLessThan(10_000);
    expect(peak.thinking).toBeGreaterThanOrEqual(RUNS * 0.9);
    expect(peak.open).toBeLessThanOrEqual(5);
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
