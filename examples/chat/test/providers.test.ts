import { startLlmSim, type LlmSim, type RecordedRequest } from "@ingot/llm-sim";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, startChat } from "./helpers/chat.js";
import { type IngotProcess, startIngot } from "./helpers/ingot.js";
import { readEvents } from "./helpers/sse.js";

/**
 * Each provider family configured from the environment, pointed at the simulator's dialect of
 * it: the durable path (Ingot's gateway) and the direct path must both speak the provider's
 * wire format, auth and headers. The simulator's default model echoes the question.
 */
describe("providers from the environment", () => {
  let ingot: IngotProcess;
  let sim: LlmSim;
  let chat: ChatHarness | undefined;

  beforeAll(async () => {
    [ingot, sim] = await Promise.all([startIngot(), startLlmSim({ chunkDelayMs: 5 })]);
  });

  afterEach(async () => {
    await chat?.close();
    chat = undefined;
  });

  afterAll(async () => {
    await ingot?.stop();
    await sim?.close();
  });

  /** Asks on both paths; returns the model calls the simulator saw for each. */
  async function bothPaths(
    harness: ChatHarness,
    tag: string,
  ): Promise<{ durable: RecordedRequest; direct: RecordedRequest }> {
    const calls: Partial<Record<"durable" | "direct", RecordedRequest>> = {};
    for (const mode of ["durable", "direct"] as const) {
      const query = `${tag} ${mode} question`;
      const { request_id } = await harness.ask({ query, mode, max_tokens: 300, temperature: 0.2 });
      const { events } = await readEvents(`${harness.url}/api/v1/chat/stream/${request_id}`);
      const done = events.at(-1)!;
      expect(done.data).toMatchObject({ status: "done", mode, content: `echo: ${query}` });
      expect(events.filter((e) => e.event === "delta").length).toBeGreaterThanOrEqual(3);
      calls[mode] = sim.requests.findLast(
        (r) => r.userText === query && r.endpoint !== "embeddings",
      );
    }
    return { durable: calls.durable!, direct: calls.direct! };
  }

  it("OpenRouter: its path, model, HTTP-Referer and X-Title; hybrid retrieval with its embeddings", async () => {
    chat = await startChat({
      ingotUrl: ingot.url,
      sim,
      env: {
        OPENROUTER_API_KEY: "sk-or-test",
        OPENROUTER_BASE_URL: `${sim.url}/openrouter/api/v1`,
        OPENROUTER_SITE_URL: "https://chat.example.test",
        OPENROUTER_APP_NAME: "Chat Test",
        ANTHROPIC_API_KEY: "ignored: OpenRouter comes first",
        CHAT_EMBEDDING_DIMENSIONS: "256",
      },
    });
    const info = (await chat.get("/api/v1/info")).json;
    expect(info).toMatchObject({
      simulated: false,
      provider: "openrouter",
      model: "google/gemini-3-flash-preview",
      retrieval: "hybrid",
    });
    const calls = await bothPaths(chat, "openrouter");
    for (const call of [calls.durable, calls.direct]) {
      expect(call).toMatchObject({
        dialect: "openrouter",
        path: "/openrouter/api/v1/chat/completions",
        model: "google/gemini-3-flash-preview",
      });
      expect(call.headers).toMatchObject({
        authorization: "Bearer sk-or-test",
        "http-referer": "https://chat.example.test",
        "x-title": "Chat Test",
      });
      expect(call.json).toMatchObject({ max_tokens: 300, temperature: 0.2, stream: true });
    }

    // The corpus was embedded at boot by the `embed-document` function, through Ingot.
    const deadline = Date.now() + 30_000;
    let documents: any[] = [];
    do {
      documents = (await chat.get("/api/v1/documents")).json.data;
      if (documents.every((d) => d.embedded_chunks === d.chunks)) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    expect(documents.every((d) => d.embedded_chunks === d.chunks)).toBe(true);
    const embeddings = sim.requests.filter((r) => r.endpoint === "embeddings");
    expect(embeddings.length).toBeGreaterThan(0);
    expect(embeddings[0]).toMatchObject({
      path: "/openrouter/api/v1/embeddings",
      model: "openai/text-embedding-3-small",
    });
    expect((embeddings[0]!.json as any).dimensions).toBe(256);

    const { request_id } = await chat.ask({
      query: "How does the gateway stream tokens to subscribers?",
    });
    const done = await chat.settle(request_id);
    expect(done.sources.some((s: any) => s.via.includes("vector"))).toBe(true);
    expect(done.sources.some((s: any) => s.via.includes("bm25"))).toBe(true);
  });

  it("Anthropic: the messages API with its version header, key and max_tokens", async () => {
    chat = await startChat({
      ingotUrl: ingot.url,
      sim,
      env: {
        ANTHROPIC_API_KEY: "sk-ant-test",
        ANTHROPIC_BASE_URL: `${sim.url}/v1`,
        ANTHROPIC_MODEL: "claude-test",
      },
    });
    expect((await chat.get("/api/v1/info")).json).toMatchObject({
      provider: "anthropic",
      retrieval: "bm25",
    });
    const calls = await bothPaths(chat, "anthropic");
    for (const call of [calls.durable, calls.direct]) {
      expect(call).toMatchObject({
        dialect: "anthropic",
        path: "/v1/messages",
        model: "claude-test",
      });
      expect(call.headers).toMatchObject({
        "x-api-key": "sk-ant-test",
        "anthropic-version": "2023-06-01",
      });
      expect(call.json).toMatchObject({
        max_tokens: 300,
        system: expect.stringContaining("Ingot Chat"),
      });
    }
  });

  it("Gemini: generateContent streamed over SSE, with the system instruction", async () => {
    chat = await startChat({
      ingotUrl: ingot.url,
      sim,
      env: {
        GEMINI_API_KEY: "gemini-test",
        GEMINI_BASE_URL: `${sim.url}/v1beta`,
        CHAT_EMBEDDINGS: "off",
      },
    });
    const calls = await bothPaths(chat, "gemini");
    for (const call of [calls.durable, calls.direct]) {
      expect(call).toMatchObject({
        dialect: "gemini",
        path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
      });
      expect(call.json).toMatchObject({
        generationConfig: { maxOutputTokens: 300, temperature: 0.2 },
        systemInstruction: { parts: [{ text: expect.stringContaining("Ingot Chat") }] },
      });
    }
  });

  it("an OpenAI-compatible server without a key (Ollama)", async () => {
    chat = await startChat({
      ingotUrl: ingot.url,
      sim,
      env: { OPENAI_BASE_URL: `${sim.url}/ollama/v1`, OPENAI_MODEL: "llama3.2" },
    });
    expect((await chat.get("/api/v1/info")).json).toMatchObject({
      provider: "openai-compatible",
      model: "llama3.2",
      simulated: false,
    });
    const calls = await bothPaths(chat, "ollama");
    for (const call of [calls.durable, calls.direct]) {
      expect(call).toMatchObject({
        dialect: "ollama",
        path: "/ollama/v1/chat/completions",
        model: "llama3.2",
      });
    }
  });
});
