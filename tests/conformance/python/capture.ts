/**
 * Captures what the official Python SDK (0.5.18) and Ingot say to each other, for the fixture
 * tests/conformance/fixtures/python-sdk-0.5.18.json:
 *
 *   npm run build && npx tsx tests/conformance/python/capture.ts
 *
 * Both apps of the conformance suite (FastAPI async, Flask sync) run behind recording proxies,
 * one on each side: Ingot → app (sync PUTs, executions) and app → Ingot (registration,
 * events, use_api). A few runs cover every opcode the SDK emits.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startLlmSim } from "@ingot/llm-sim";
import { IngotApi, sleep } from "../harness/api.js";
import { freePort, startIngot } from "../harness/ingot.js";
import { startPythonApp } from "../harness/python.js";
import { type Exchange, startRecorder } from "../harness/recorder.js";

const OUT = join(import.meta.dirname, "../fixtures/python-sdk-0.5.18.json");

/** Headers that vary per run or say nothing about the protocol. */
const DROP = new Set([
  "date",
  "server",
  "host",
  "content-length",
  "server-timing",
  "connection",
  "keep-alive",
  "accept-encoding",
  "accept",
  "user-agent",
]);

function headers(all: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(all)
      .filter(([name]) => !DROP.has(name))
      .sort(),
  );
}

function body(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function entry(direction: string, app: string, exchange: Exchange) {
  return {
    direction,
    app,
    method: exchange.method,
    url: exchange.url,
    request: { headers: headers(exchange.requestHeaders), body: body(exchange.requestBody) },
    response: {
      status: exchange.status,
      headers: headers(exchange.responseHeaders),
      body: body(exchange.responseBody),
    },
  };
}

async function main(): Promise<void> {
  const sim = await startLlmSim();
  const port = await freePort();
  const ingotUrl = `http://127.0.0.1:${port}`;
  const toIngot = await startRecorder(ingotUrl);
  const apps = [
    { appId: "py-capture-async", server: "fastapi", module: "async_app" },
    { appId: "py-capture-sync", server: "flask", module: "sync_app" },
  ] as const;
  const running = [];
  for (const spec of apps) {
    const appPort = await freePort();
    const toApp = await startRecorder(`http://127.0.0.1:${appPort}`);
    const app = await startPythonApp({
      server: spec.server,
      module: spec.module,
      port: appPort,
      env: {
        PY_APP_ID: spec.appId,
        INNGEST_DEV: "1",
        INNGEST_BASE_URL: toIngot.url,
        INNGEST_SERVE_ORIGIN: toApp.url,
        LLM_SIM_URL: sim.url,
      },
    });
    running.push({ spec, app, toApp });
  }
  // Small inline limit: the "large" run below goes through use_api.
  const ingot = await startIngot({ port, env: { INGOT_INLINE_STATE_BYTES: "4096" } });
  const api = new IngotApi(ingot.url);
  try {
    for (const { spec, toApp } of running) {
      // What the SDK answers an unsigned in-band sync (Ingot does not send one to it: see sync/).
      await fetch(`${toApp.url}/api/inngest`, {
        method: "PUT",
        headers: { "x-inngest-sync-kind": "in_band", "x-inngest-server-kind": "dev" },
        body: JSON.stringify({ url: `${toApp.url}/api/inngest` }),
      });
      await api.syncApp(`${toApp.url}/api/inngest`);
      const send = async (name: string, data: Record<string, unknown>) =>
        (await api.send({ name: `${spec.appId}/${name}`, data }))[0]!;
      const ids = [
        await send("steps", { n: 1 }),
        await send("retries", {}),
        await send("retry-after", {}),
        await send("non-retriable", {}),
        await send("step-error", {}),
        await send("failing", { order: 1 }),
        await send("large", { kb: 3 }),
        await send("infer", { provider: "openai", prompt: "hi" }),
        await send("infer", { provider: "gemini", prompt: "hi" }),
      ];
      const waits = await send("waits", { id: 1 });
      await sleep(500);
      await send("approved", { id: 1 });
      for (const id of [...ids, waits]) await api.settled(id, { timeoutMs: 30_000 });
    }
    await sleep(500);
    const exchanges = [
      ...running.flatMap(({ spec, toApp }) =>
        toApp.exchanges.map((exchange) => ({
          exchange,
          e: entry("to-app", spec.appId, exchange),
        })),
      ),
      ...toIngot.exchanges.map((exchange) => ({
        exchange,
        e: entry(
          "to-ingot",
          String(exchange.requestHeaders["x-inngest-framework"] ?? ""),
          exchange,
        ),
      })),
    ]
      .sort((a, b) => a.exchange.at - b.exchange.at)
      .map(({ e }) => e);
    const fixture = {
      sdk: "inngest-py 0.5.18 (vendored, unmodified)",
      captured: new Date().toISOString().slice(0, 10),
      how: "npm run build && npx tsx tests/conformance/python/capture.ts",
      exchanges,
    };
    writeFileSync(OUT, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`wrote ${exchanges.length} exchanges to ${OUT}`);
  } finally {
    await Promise.all(running.map(({ app, toApp }) => Promise.all([app.stop(), toApp.close()])));
    await ingot.stop();
    await toIngot.close();
    await sim.close();
  }
}

await main();
