import { openai } from "@inngest/ai";
import { startLlmSim } from "@ingot/llm-sim";
import { Inngest } from "inngest";
import { request } from "undici";
import { serveFunctions, syncApp } from "./lib/app.js";
import { startIngot } from "./lib/ingot.js";
import { fmt, rssMiB, summarize } from "./lib/stats.js";

export interface GatewayOverhead {
  direct: ReturnType<typeof summarize>;
  gatewayCall: ReturnType<typeof summarize>;
  suspendToResume: ReturnType<typeof summarize>;
}

/**
 * Gateway overhead per call: a direct call from the app to llm-sim, the same call as made by the
 * gateway (its `ai_calls.latency_ms`), and the whole detour user code sees (suspend → resume).
 */
export async function benchGatewayOverhead(calls: number): Promise<GatewayOverhead> {
  const sim = await startLlmSim({ record: false });
  const server = await startIngot();
  const inngest = new Inngest({ id: "bench-gw", isDev: true, baseUrl: server.url });
  const suspended = new Map<string, number>();
  const detours: number[] = [];
  let resolveRun: (() => void) | undefined;
  const body = { messages: [{ role: "user" as const, content: "hello" }], model: "gpt-4o-mini" };
  const fn = inngest.createFunction(
    { id: "ask", retries: 0, triggers: [{ event: "bench/ask" }] },
    async ({ step, runId }) => {
      if (!suspended.has(runId)) suspended.set(runId, performance.now());
      await step.ai.infer("ask", {
        model: openai({ model: "gpt-4o-mini", apiKey: "sk-bench", baseUrl: `${sim.url}/v1/` }),
        body,
      });
      detours.push(performance.now() - suspended.get(runId)!);
      resolveRun?.();
      return null;
    },
  );
  const app = await serveFunctions(inngest, [fn]);
  try {
    await syncApp(server.url, app.url);
    const direct: number[] = [];
    const payload = JSON.stringify(body);
    for (let i = 0; i < calls + 50; i++) {
      const started = performance.now();
      const response = await request(`${sim.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
        body: payload,
      });
      await response.body.json();
      if (i >= 50) direct.push(performance.now() - started);
    }
    for (let i = 0; i < calls + 50; i++) {
      if (i === 50) detours.length = 0;
      const done = new Promise<void>((resolve) => {
        resolveRun = resolve;
      });
      await fetch(`${server.url}/e/bench`, {
        method: "POST",
        body: JSON.stringify({ name: "bench/ask" }),
      });
      await done;
    }
    const aiCalls = (await (await fetch(`${server.url}/v1/ai/calls?limit=500`)).json()) as {
      data: { latency_ms: number }[];
    };
    return {
      direct: summarize(direct),
      gatewayCall: summarize(aiCalls.data.slice(0, calls).map((call) => call.latency_ms)),
      suspendToResume: summarize(detours),
    };
  } finally {
    await app.close();
    await server.stop();
    await sim.close();
  }
}

/**
 * How many `step.ai.infer` calls one server holds in flight (the model takes 60 s) before its RSS
 * reaches 1 GiB, or `max` calls, whichever comes first.
 */
export async function benchInFlight(
  max: number,
): Promise<{ inFlight: number; rssMiB: number; idleRssMiB: number; seconds: number }> {
  const sim = await startLlmSim({ latencyMs: 60_000, record: false });
  const server = await startIngot();
  const inngest = new Inngest({ id: "bench-inflight", isDev: true, baseUrl: server.url });
  const fn = inngest.createFunction(
    { id: "wait", retries: 0, triggers: [{ event: "bench/wait" }] },
    async ({ step }) => {
      await step.ai.infer("wait", {
        model: openai({ model: "gpt-4o-mini", apiKey: "sk-bench", baseUrl: `${sim.url}/v1/` }),
        body: { messages: [{ role: "user", content: "take your time" }] },
      });
      return null;
    },
  );
  const app = await serveFunctions(inngest, [fn]);
  const health = async (): Promise<number> =>
    ((await (await fetch(`${sim.url}/__sim/health`)).json()) as { inFlight: number }).inFlight;
  try {
    await syncApp(server.url, app.url);
    const idleRssMiB = rssMiB(server.pid);
    const started = performance.now();
    let sent = 0;
    let inFlight = 0;
    let rss = idleRssMiB;
    while (sent < max && rss < 1024) {
      const batch = Math.min(1_000, max - sent);
      await fetch(`${server.url}/e/bench`, {
        method: "POST",
        body: JSON.stringify(Array.from({ length: batch }, () => ({ name: "bench/wait" }))),
      });
      sent += batch;
      const deadline = performance.now() + 40_000;
      while ((inFlight = await health()) < sent && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      rss = rssMiB(server.pid);
    }
    return { inFlight, rssMiB: rss, idleRssMiB, seconds: (performance.now() - started) / 1000 };
  } finally {
    await app.close();
    await server.stop();
    await sim.close();
  }
}

export function describeGateway(o: GatewayOverhead): string {
  const ratio = (a: number, b: number) => fmt(a / b, 2);
  return [
    `AI call direct to llm-sim:          p50 ${fmt(o.direct.p50)} ms, p99 ${fmt(o.direct.p99)} ms`,
    `AI call made by the gateway:        p50 ${fmt(o.gatewayCall.p50)} ms, p99 ${fmt(o.gatewayCall.p99)} ms (${ratio(o.gatewayCall.p50, o.direct.p50)}x / ${ratio(o.gatewayCall.p99, o.direct.p99)}x direct)`,
    `step.ai.infer suspend -> resume:    p50 ${fmt(o.suspendToResume.p50)} ms, p99 ${fmt(o.suspendToResume.p99)} ms (${ratio(o.suspendToResume.p50, o.direct.p50)}x / ${ratio(o.suspendToResume.p99, o.direct.p99)}x direct; includes two SDK requests)`,
  ].join("\n");
}
