import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiRun, type IngotApi, sleep } from "./harness/api.js";
import type { IngotProcess } from "./harness/ingot.js";
import { type PythonApp, startPythonStack } from "./harness/python.js";
import { type Recorder, startRecorder } from "./harness/recorder.js";

/**
 * `step.ai.infer` from the official Python SDK with its five adapters
 * (`inngest.experimental.ai`), in async (`Step`) and sync (`StepSync`) functions: Ingot's
 * gateway makes the call. llm-sim plays every provider, behind a recording proxy that shows
 * exactly what each provider answered. Keys and models are those of python/common.py.
 */

const KEYS: Record<string, string> = {
  openai: "sk-py-openai-SECRET-1111",
  anthropic: "sk-py-ant-SECRET-2222",
  gemini: "py-gem-SECRET-3333",
  grok: "py-xai-SECRET-4444",
  deepseek: "py-ds-SECRET-5555",
};

const PROVIDERS = [
  {
    provider: "openai",
    path: "/v1/chat/completions",
    model: "gpt-4o-mini",
    auth: { header: "authorization", value: `Bearer ${KEYS.openai}` },
    text: (r: any) => r.choices[0].message.content,
  },
  {
    provider: "anthropic",
    path: "/v1/messages",
    model: "claude-3-5-haiku-latest",
    auth: { header: "x-api-key", value: KEYS.anthropic },
    text: (r: any) => r.content[0].text,
  },
  {
    provider: "gemini",
    path: "/v1beta/models/gemini-2.0-flash:generateContent",
    model: "gemini-2.0-flash",
    auth: undefined,
    text: (r: any) => r.candidates[0].content.parts[0].text,
  },
  {
    provider: "grok",
    path: "/xai/v1/chat/completions",
    model: "grok-3-mini",
    auth: { header: "authorization", value: `Bearer ${KEYS.grok}` },
    text: (r: any) => r.choices[0].message.content,
  },
  {
    provider: "deepseek",
    path: "/deepseek/v1/chat/completions",
    model: "deepseek-chat",
    auth: { header: "authorization", value: `Bearer ${KEYS.deepseek}` },
    text: (r: any) => r.choices[0].message.content,
  },
] as const;

const APPS = [
  { appId: "py-ai-async", server: "fastapi", module: "async_app" },
  { appId: "py-ai-sync", server: "flask", module: "sync_app" },
] as const;

let sim: LlmSim;
let provider: Recorder;
let ingot: IngotProcess;
let api: IngotApi;
let apps: Map<string, PythonApp>;

beforeAll(async () => {
  sim = await startLlmSim();
  provider = await startRecorder(sim.url);
  ({ ingot, api, apps } = await startPythonStack({
    apps: APPS.map((app) => ({ ...app, env: { LLM_SIM_URL: provider.url } })),
  }));
});

afterAll(async () => {
  await Promise.all([...(apps?.values() ?? [])].map((app) => app.stop()));
  await ingot?.stop();
  await provider?.close();
  await sim?.close();
});

interface InferOutput {
  ok: boolean;
  result?: unknown;
  name?: string;
  message?: string;
}

describe.each(APPS)("step.ai.infer, $server app ($appId)", ({ appId }) => {
  async function infer(providerName: string, prompt: string) {
    const [id] = await api.send({
      name: `${appId}/infer`,
      data: { provider: providerName, prompt },
    });
    const [run] = await api.settled(id!, { timeoutMs: 20_000 });
    const calls = sim.requests.filter((request) => request.userText.includes(prompt));
    const answers = provider.exchanges.filter((exchange) => exchange.requestBody.includes(prompt));
    return { run: run!, output: run!.output as InferOutput, calls, answers };
  }

  it.concurrent.each(PROVIDERS)(
    "$provider: URL, auth, injected model, and the provider's JSON verbatim in user code",
    async ({ provider: name, path, model, auth, text }) => {
      const prompt = `hello ${name} from ${appId}`;
      const { output, calls, answers } = await infer(name, prompt);
      expect(output.ok).toBe(true);
      expect(calls).toHaveLength(1);
      const call = calls[0]!;
      expect(call.method).toBe("POST");
      expect(call.path).toBe(path);
      // The adapter adds the model to the body (the test's body has none).
      expect((call.json as { model?: string }).model).toBe(model);
      expect(call.model).toBe(model);
      if (auth) expect(call.headers[auth.header]).toBe(auth.value);
      if (name === "gemini") {
        // The key is in the query, once: the adapter put it there and the gateway kept it.
        expect(call.query.key).toEqual([KEYS.gemini]);
        expect(call.headers.authorization).toBeUndefined();
      }
      if (name === "anthropic") expect(call.headers["anthropic-version"]).toBe("2023-06-01");
      // User code received exactly what the provider answered.
      expect(answers).toHaveLength(1);
      expect(output.result).toEqual(JSON.parse(answers[0]!.responseBody));
      expect(text(output.result)).toBe(`echo: ${prompt}`);
    },
  );

  it.concurrent("a 401 fails at once, with one provider call, and is catchable", async () => {
    const prompt = `unauthorized please ${appId}`;
    sim.enqueue({ match: { contains: prompt }, times: 5, respond: { status: 401 } });
    const { run, output, calls } = await infer("openai", prompt);
    expect(run.status).toBe("Completed");
    expect(output).toMatchObject({ ok: false, name: "AIGatewayError" });
    expect(output.message).toContain("401");
    expect(calls).toHaveLength(1);
  });

  it.concurrent("a 429 is retried after its Retry-After", async () => {
    const { output, calls } = await infer(
      "anthropic",
      `busy ${appId} [[sim: status=429 retry-after=1 times=1 key=py429-${appId}]]`,
    );
    expect(output.ok).toBe(true);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.receivedAt - calls[0]!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it.concurrent("a 500 is retried", async () => {
    const { output, calls } = await infer(
      "deepseek",
      `flaky ${appId} [[sim: status=500 times=2 key=py500-${appId}]]`,
    );
    expect(output.ok).toBe(true);
    expect(calls).toHaveLength(3);
  });
});

describe("provider keys", () => {
  it("never reach Ingot's database or log", async () => {
    const done = async () =>
      (await api.json<{ data: ApiRun[] }>("/v1/runs?status=Running&limit=10")).body.data.length ===
      0;
    for (let i = 0; i < 100 && !(await done()); i++) await sleep(100);
    const files = readdirSync(ingot.dataDir).filter((name) => name.startsWith("ingot.db"));
    const stored = files
      .map((name) => readFileSync(join(ingot.dataDir, name)).toString("latin1"))
      .join("");
    expect(stored.includes("hello openai from")).toBe(true);
    for (const key of Object.values(KEYS)) {
      expect(stored.includes(key), key).toBe(false);
      expect(ingot.logs().includes(key), key).toBe(false);
    }
  });
});
