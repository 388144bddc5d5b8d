import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "../../../tests/conformance/harness/api.js";
import {
  freePort,
  type IngotProcess,
  startIngot,
} from "../../../tests/conformance/harness/ingot.js";
import {
  devEnv,
  type PythonApp,
  startPythonApp,
  waitForApps,
} from "../../../tests/conformance/harness/python.js";

/**
 * The Python chat backend end to end, started as its README says: the app (uvicorn), then
 * `ingot dev -u <app> --no-discovery`. The seed's API: POST a question, poll its result.
 * Offline the app starts llm-sim itself and says so; with OPENROUTER_API_KEY it calls
 * OpenRouter through the SDK's OpenAI adapter (here llm-sim's OpenRouter dialect).
 */

const DIR = resolve(import.meta.dirname, "..");

interface SimRequest {
  path: string;
  headers: Record<string, string>;
  json: { model?: string; temperature?: number; max_tokens?: number; messages?: unknown[] };
  userText: string;
}

let ingotUrl: string;
let ingot: IngotProcess;
let api: IngotApi;
let app: PythonApp;
let db: string;
let simUrl: string;
let openrouter: LlmSim;

const chatApp = (env: Record<string, string>, port?: number) =>
  startPythonApp({
    server: "fastapi",
    module: "app.main",
    dir: DIR,
    ...(port === undefined ? {} : { port }),
    env: { ...devEnv(ingotUrl, "python-chat"), CHAT_DB: db, CHAT_RETRIES: "1", ...env },
  });

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${app.port}/api/v1/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function result(requestId: string) {
  const response = await fetch(`http://127.0.0.1:${app.port}/api/v1/chat/result/${requestId}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The seed's flow: POST, then poll until the answer is there. */
async function ask(body: Record<string, unknown>) {
  const started = performance.now();
  const created = await post(body);
  expect(created.status).toBe(202);
  const requestId = String(created.body.request_id);
  for (;;) {
    const polled = await result(requestId);
    if (polled.body.status !== "pending")
      return { requestId, created, done: polled.body, ms: performance.now() - started };
    if (performance.now() - started > 15_000) throw new Error(`no answer for ${requestId}`);
    await sleep(10);
  }
}

async function simRequests(): Promise<SimRequest[]> {
  const response = await fetch(`${simUrl}/__sim/requests`);
  return ((await response.json()) as { requests: SimRequest[] }).requests;
}

beforeAll(async () => {
  db = join(mkdtempSync(join(tmpdir(), "python-chat-")), "chat.db");
  openrouter = await startLlmSim();
  // As the README: the app (terminal 1), then `ingot dev -u <app> --no-discovery` (terminal 2).
  const port = await freePort();
  ingotUrl = `http://127.0.0.1:${port}`;
  app = await chatApp({});
  ingot = await startIngot({ port, args: ["-u", app.url] });
  api = new IngotApi(ingot.url);
  await waitForApps(api, ["python-chat"]);
  const notice = /SIMULATED by llm-sim at (http:\/\/\S+) /.exec(app.logs());
  simUrl = notice?.[1] ?? "";
});

afterAll(async () => {
  await app?.stop();
  await ingot?.stop();
  await openrouter?.close();
});

describe("examples/python-chat", () => {
  it("offline, starts llm-sim itself and says so", async () => {
    expect(simUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.logs()).toContain("No OPENROUTER_API_KEY is set: answers are SIMULATED");
    const info = await (await fetch(`http://127.0.0.1:${app.port}/api/v1/info`)).json();
    expect(info).toMatchObject({ simulated: true, model: "sim-echo" });
  });

  it("answers the seed's flow: POST /api/v1/chat, then poll /api/v1/chat/result/{id}", async () => {
    const flow = await ask({
      query: "What is **Ingot**?",
      temperature: 0.3,
      max_tokens: 100,
      clean: true,
    });
    expect(Object.keys(flow.created.body)).toEqual(["request_id"]);
    expect(flow.done).toEqual({ status: "done", content: "echo: What is Ingot?" });
    // The target is < 1 s on this machine (measured: see the report); only a sanity bound here.
    console.log(`python-chat seed flow: ${flow.ms.toFixed(0)} ms`);
    expect(flow.ms).toBeLessThan(10_000);
    const sent = (await simRequests()).find((r) => r.userText.includes("What is **Ingot**?"));
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.json).toMatchObject({ model: "sim-echo", temperature: 0.3, max_tokens: 100 });
    expect(sent?.json.messages).toHaveLength(2);
    // The run's steps carry the names the code gives them.
    const [run] = (
      await api.json<{ data: { run_id: string }[] }>(
        "/v1/runs?function_id=python-chat-chat-worker&limit=1",
      )
    ).body.data;
    const steps = await api.steps(run!.run_id);
    expect(steps.map((step) => step.name)).toEqual(["call-model", "save-result"]);
  });

  it("refuses bad bodies with 400 and a message naming the field; unknown ids are 404", async () => {
    const cases: [unknown, string][] = [
      ["{not json", "expected a JSON body"],
      [["a list"], "expected a JSON object"],
      [{}, "query:"],
      [{ query: "  " }, "query:"],
      [{ query: 5 }, "query:"],
      [{ query: "x".repeat(4001) }, "query: at most"],
      [{ query: "hi", temperature: "hot" }, "temperature:"],
      [{ query: "hi", temperature: 3 }, "temperature:"],
      [{ query: "hi", max_tokens: 0 }, "max_tokens:"],
      [{ query: "hi", max_tokens: 1.5 }, "max_tokens:"],
      [{ query: "hi", max_tokens: true }, "max_tokens:"],
      [{ query: "hi", clean: "yes" }, "clean:"],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(String(answer.body.error)).toContain(message);
    }
    const unknown = await result("no-such-request");
    expect(unknown.status).toBe(404);
    expect(String(unknown.body.error)).toContain("no-such-request");
  });

  it("reports a failed model call as an error result", async () => {
    await fetch(`${simUrl}/__sim/enqueue`, {
      method: "POST",
      body: JSON.stringify({
        match: { contains: "refuse me" },
        times: 5,
        respond: { status: 401 },
      }),
    });
    const flow = await ask({ query: "please refuse me" });
    expect(flow.done.status).toBe("error");
    expect(String(flow.done.error)).toContain("The model call failed");
    expect(String(flow.done.error)).toContain("401");
  });

  it("keeps results in SQLite across a restart, and calls OpenRouter with its headers when keyed", async () => {
    const before = await ask({ query: "remember me" });
    const port = app.port;
    await app.stop();
    // The offline simulator went with the app.
    await expect(fetch(`${simUrl}/__sim/health`)).rejects.toThrow();
    app = await chatApp(
      {
        OPENROUTER_API_KEY: "sk-or-test-key",
        OPENROUTER_BASE_URL: `${openrouter.url}/api/v1`,
        OPENROUTER_MODEL: "anthropic/claude-3.5-haiku",
        OPENROUTER_SITE_URL: "https://chat.example.com",
        OPENROUTER_APP_NAME: "Ingot Chat",
      },
      port,
    );
    expect((await result(before.requestId)).body).toEqual(before.done);
    const flow = await ask({ query: "via openrouter" });
    expect(flow.done).toEqual({ status: "done", content: "echo: via openrouter" });
    const [call] = openrouter.requests.filter((r) => r.userText === "via openrouter");
    expect(call?.dialect).toBe("openrouter");
    expect(call?.headers.authorization).toBe("Bearer sk-or-test-key");
    expect(call?.headers["http-referer"]).toBe("https://chat.example.com");
    expect(call?.headers["x-title"]).toBe("Ingot Chat");
    expect(call?.model).toBe("anthropic/claude-3.5-haiku");
    expect(app.logs()).not.toContain("SIMULATED");
  });
});
