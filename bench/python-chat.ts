import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startLlmSim } from "@ingot/llm-sim";
import { startPythonApp } from "../tests/conformance/harness/python.js";
import { startIngot } from "./lib/ingot.js";
import { percentile } from "./lib/stats.js";

const CHAT = resolve(import.meta.dirname, "../examples/python-chat");

export interface PythonChatResult {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

/**
 * The seed's flow on examples/python-chat (FastAPI, official Python SDK) against llm-sim:
 * POST /api/v1/chat, then GET /api/v1/chat/result/{id} every 5 ms until it is done. One request
 * at a time, after a warm-up; the time a user of the seed API waits for an answer.
 */
export async function benchPythonChat(requests: number): Promise<PythonChatResult> {
  const sim = await startLlmSim();
  const ingot = await startIngot();
  const app = await startPythonApp({
    server: "fastapi",
    module: "app.main",
    dir: CHAT,
    env: {
      INNGEST_DEV: "1",
      INNGEST_BASE_URL: ingot.url,
      LLM_SIM_URL: sim.url,
      CHAT_DB: join(mkdtempSync(join(tmpdir(), "python-chat-bench-")), "chat.db"),
    },
  });
  try {
    const synced = await fetch(`${ingot.url}/v1/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: app.url }),
    });
    if (synced.status !== 200) throw new Error(`sync failed: ${await synced.text()}`);
    const base = `http://127.0.0.1:${app.port}/api/v1/chat`;
    const flow = async (n: number): Promise<number> => {
      const started = performance.now();
      const created = await fetch(base, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `question ${n}`, temperature: 0.2, max_tokens: 64 }),
      });
      const { request_id: id } = (await created.json()) as { request_id: string };
      for (;;) {
        const polled = (await (await fetch(`${base}/result/${id}`)).json()) as { status: string };
        if (polled.status === "done") return performance.now() - started;
        if (polled.status === "error") throw new Error(`request ${id} failed`);
        if (performance.now() - started > 30_000) throw new Error(`request ${id} timed out`);
        await new Promise((done) => setTimeout(done, 5));
      }
    };
    for (let n = 0; n < 5; n++) await flow(-n - 1);
    const samples: number[] = [];
    for (let n = 0; n < requests; n++) samples.push(await flow(n));
    samples.sort((a, b) => a - b);
    return {
      n: samples.length,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      max: samples.at(-1) ?? Number.NaN,
    };
  } finally {
    await app.stop();
    await ingot.stop();
    await sim.close();
  }
}
