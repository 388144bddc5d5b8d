import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  anthropic,
  azureOpenai,
  deepseek,
  gemini,
  grok,
  openai,
  openaiResponses,
} from "@inngest/ai";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngotApi, sleep } from "./harness/api.js";
import { type RunningApp, serveApp, serveV4 } from "./harness/app.js";
import { type IngotProcess, startIngot } from "./harness/ingot.js";

/** Keys sent by the app; none may end up in Ingot's database or log. */
const KEYS = {
  openai: "sk-openai-SECRET-1111",
  responses: "sk-resp-SECRET-2222",
  anthropic: "sk-ant-SECRET-3333",
  gemini: "gem-SECRET-4444",
  grok: "xai-SECRET-5555",
  deepseek: "ds-SECRET-6666",
  azure: "azure-SECRET-7777",
  embed: "sk-embed-SECRET-8888",
};

interface ApiAiCall {
  provider: string;
  model: string | null;
  outcome: string;
  http_status: number | null;
  usage: { input_tokens: number | null; output_tokens: number | null };
  cost_usd: number | null;
  key_source: string;
  url: string;
  attempt: number;
}

/**
 * `step.ai.infer` executed by Ingot's gateway for every `@inngest/ai` model factory and a
 * hand-written model, against llm-sim: auth placement, the exact value user code receives,
 * failure classification and retries, usage records, and keys kept out of storage and logs.
 */
describe("AI gateway", () => {
  let sim: LlmSim;
  let ingot: IngotProcess;
  let api: IngotApi;
  let app: RunningApp;

  const model = (provider: string) => {
    const base = sim.url;
    switch (provider) {
      case "openai":
        return openai({ model: "gpt-4o-mini", apiKey: KEYS.openai, baseUrl: `${base}/v1/` });
      case "responses":
        return openaiResponses({
          model: "gpt-4.1-mini",
          apiKey: KEYS.responses,
          baseUrl: `${base}/v1/`,
        });
      case "anthropic":
        return anthropic({
          model: "claude-3-5-haiku-latest",
          apiKey: KEYS.anthropic,
          baseUrl: `${base}/v1/`,
          defaultParameters: { max_tokens: 256 },
        });
      case "gemini":
        return gemini({
          model: "gemini-2.0-flash",
          apiKey: KEYS.gemini,
          baseUrl: `${base}/v1beta/`,
        });
      case "grok":
        return grok({ model: "grok-3-mini", apiKey: KEYS.grok, baseUrl: `${base}/xai/v1` });
      case "deepseek":
        return deepseek({
          model: "deepseek-chat",
          apiKey: KEYS.deepseek,
          baseUrl: `${base}/deepseek/v1/`,
        });
      case "azure":
        return azureOpenai({
          model: "gpt-4o",
          deployment: "chat-prod",
          apiVersion: "2024-10-21",
          endpoint: `${base}/`,
          apiKey: KEYS.azure,
        });
      default:
        throw new Error(`unknown provider ${provider}`);
    }
  };

  const bodyFor = (provider: string, prompt: string) => {
    if (provider === "gemini") return { contents: [{ role: "user", parts: [{ text: prompt }] }] };
    if (provider === "responses") return { input: prompt };
    return { messages: [{ role: "user", content: prompt }] };
  };

  beforeAll(async () => {
    sim = await startLlmSim();
    ingot = await startIngot({ args: ["--ai-timeout-ms", "800"] });
    api = new IngotApi(ingot.url);
    const inngest = new Inngest({ id: "ai-app", isDev: true, baseUrl: ingot.url });
    const infer = inngest.createFunction(
      { id: "infer", retries: 2, triggers: [{ event: "ai/infer" }] },
      async ({ event, step }) => {
        const provider = String(event.data.provider);
        const prompt = String(event.data.prompt);
        try {
          const result: any = await step.ai.infer("ask", {
            model: model(provider),
            body: bodyFor(provider, prompt) as never,
          });
          return { ok: true, result };
        } catch (error) {
          return { ok: false, name: (error as Error).name, message: (error as Error).message };
        }
      },
    );
    const embed = inngest.createFunction(
      { id: "embed", triggers: [{ event: "ai/embed" }] },
      async ({ event, step }) => {
        // A hand-written model object: any URL and format.
        const result = await step.ai.infer("embed", {
          model: {
            url: `${sim.url}/v1/embeddings`,
            format: "openai-chat",
            authKey: KEYS.embed,
            options: {},
          } as never,
          body: { model: "text-embedding-3-small", input: String(event.data.text) } as never,
        });
        return result;
      },
    );
    app = await serveApp({ handler: serveV4({ client: inngest, functions: [infer, embed] }) });
    await api.syncApp(app.url);
  });

  afterAll(async () => {
    await app?.close();
    await ingot?.stop();
    await sim?.close();
  });

  async function infer(provider: string, prompt: string) {
    const before = sim.requests.length;
    const [id] = await api.send({ name: "ai/infer", data: { provider, prompt } });
    const [run] = await api.settled(id!, { timeoutMs: 20_000 });
    const calls = sim.requests.slice(before);
    const aiCalls = (await api.json<{ data: ApiAiCall[] }>(`/v1/runs/${run!.run_id}/ai`)).body.data;
    return {
      run: run!,
      output: run!.output as { ok: boolean; result?: unknown; name?: string; message?: string },
      calls,
      aiCalls,
    };
  }

  it.each([
    [
      "openai",
      (r: any) => r.choices[0].message.content,
      "authorization",
      `Bearer ${KEYS.openai}`,
      "/v1/chat/completions",
    ],
    [
      "responses",
      (r: any) => r.output[0].content[0].text,
      "authorization",
      `Bearer ${KEYS.responses}`,
      "/v1/responses",
    ],
    ["anthropic", (r: any) => r.content[0].text, "x-api-key", KEYS.anthropic, "/v1/messages"],
    [
      "gemini",
      (r: any) => r.candidates[0].content.parts[0].text,
      "x-goog-api-key",
      undefined,
      "/v1beta/models/gemini-2.0-flash:generateContent",
    ],
    [
      "grok",
      (r: any) => r.choices[0].message.content,
      "authorization",
      `Bearer ${KEYS.grok}`,
      "/xai/v1/chat/completions",
    ],
    [
      "deepseek",
      (r: any) => r.choices[0].message.content,
      "authorization",
      `Bearer ${KEYS.deepseek}`,
      "/deepseek/v1/chat/completions",
    ],
    [
      "azure",
      (r: any) => r.choices[0].message.content,
      "api-key",
      KEYS.azure,
      "/openai/deployments/chat-prod/chat/completions",
    ],
  ] as const)(
    "%s: the gateway places the key and user code receives the provider's JSON",
    async (provider, text, header, value, path) => {
      const { output, calls, aiCalls } = await infer(provider, `hello ${provider}`);
      expect(output.ok).toBe(true);
      expect(text(output.result)).toBe(`echo: hello ${provider}`);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.path).toBe(path);
      expect(calls[0]?.headers[header]).toBe(value);
      if (provider === "gemini") expect(calls[0]?.query.key).toEqual([KEYS.gemini]);
      if (provider === "anthropic")
        expect(calls[0]?.headers["anthropic-version"]).toBe("2023-06-01");
      expect(aiCalls).toHaveLength(1);
      expect(aiCalls[0]).toMatchObject({ outcome: "ok", http_status: 200, key_source: "op" });
      expect(aiCalls[0]?.usage.input_tokens).toBeGreaterThan(0);
      expect(aiCalls[0]?.usage.output_tokens).toBeGreaterThan(0);
      expect(aiCalls[0]?.url).not.toContain(KEYS.gemini);
    },
  );

  it("works with a hand-written model object (an embeddings endpoint)", async () => {
    const [id] = await api.send({ name: "ai/embed", data: { text: "durable vectors" } });
    const [run] = await api.settled(id!);
    const output = run?.output as { object: string; data: { embedding: number[] }[] };
    expect(output.object).toBe("list");
    expect(output.data[0]?.embedding.length).toBeGreaterThan(10);
  });

  it("fails a 401 at once, without retries, as an error user code can catch", async () => {
    sim.enqueue({ match: { contains: "unauthorized please" }, times: 5, respond: { status: 401 } });
    const { output, calls, aiCalls } = await infer("openai", "unauthorized please");
    expect(output).toMatchObject({ ok: false, name: "AIGatewayError" });
    expect(output.message).toContain("401");
    expect(calls).toHaveLength(1);
    expect(aiCalls.map((c) => c.outcome)).toEqual(["error"]);
  });

  it("retries a 429 after its retry-after and then succeeds", async () => {
    const started = Date.now();
    const { output, calls, aiCalls } = await infer(
      "anthropic",
      "busy [[sim: status=429 retry-after=1 times=1 key=r429]]",
    );
    expect(output.ok).toBe(true);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.receivedAt - calls[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(aiCalls.map((c) => [c.attempt, c.outcome, c.http_status])).toEqual([
      [0, "retry", 429],
      [1, "ok", 200],
    ]);
  });

  it("retries a 500 and never calls the provider more than retries + 1 times", async () => {
    const recovered = await infer("openai", "flaky [[sim: status=500 times=2 key=r500]]");
    expect(recovered.output.ok).toBe(true);
    expect(recovered.calls).toHaveLength(3);
    const broken = await infer("openai", "down [[sim: status=500 times=50 key=r500b]]");
    expect(broken.output).toMatchObject({ ok: false, name: "AIGatewayError" });
    expect(broken.calls).toHaveLength(3);
    expect(broken.aiCalls.map((c) => c.outcome)).toEqual(["retry", "retry", "error"]);
  });

  it("treats an error inside a 200 body as a failure", async () => {
    sim.enqueue({
      match: { contains: "overloaded inside" },
      times: 10,
      respond: { errorInBody: 529 },
    });
    const { output, calls } = await infer("anthropic", "overloaded inside");
    expect(output.ok).toBe(false);
    expect(calls).toHaveLength(3);
  });

  it("times out a call that never answers, per attempt", async () => {
    const { output, calls } = await infer("openai", "slow [[sim: delay=3000]]");
    expect(output).toMatchObject({ ok: false, name: "AIGatewayError" });
    expect(String(output.message).toLowerCase()).toMatch(/timeout|timed out|abort/);
    expect(calls).toHaveLength(3);
  });

  it("keeps provider keys out of the database and the log", async () => {
    await sleep(300);
    const files = readdirSync(ingot.dataDir).filter((name) => name.startsWith("ingot.db"));
    expect(files.length).toBeGreaterThan(0);
    const stored = files
      .map((name) => readFileSync(join(ingot.dataDir, name)).toString("latin1"))
      .join("");
    for (const key of Object.values(KEYS)) {
      expect(stored.includes(key), key).toBe(false);
      expect(ingot.logs().includes(key), key).toBe(false);
    }
    // The prompts are there: the check looks at the right bytes.
    expect(stored.includes("hello openai")).toBe(true);
  });
});
