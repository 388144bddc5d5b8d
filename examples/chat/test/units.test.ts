import { describe, expect, it } from "vitest";
import { StreamHub, type HubEvent } from "../src/chat/hub.js";
import { ConfigError, loadChatConfig, loadStartConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { chatBody, directChatRequest } from "../src/providers/bodies.js";
import { embeddingRequest, parseEmbeddings } from "../src/providers/embeddings.js";
import { parseAnswer } from "../src/providers/output.js";
import { streamPiece } from "../src/providers/stream.js";
import { readSse } from "../src/lib/sse.js";
import { Hono } from "hono";
import { rateLimit } from "../src/http/rate-limit.js";
import { ChatError } from "../src/errors.js";

describe("configuration from the environment", () => {
  it("picks the first provider with a key in the issue's order", () => {
    expect(loadChatConfig({}).provider.id).toBe("sim");
    expect(loadChatConfig({ DEEPSEEK_API_KEY: "d", XAI_API_KEY: "x" }).provider).toMatchObject({
      id: "xai",
      model: "grok-3-mini",
      baseUrl: "https://api.x.ai/v1/",
    });
    expect(loadChatConfig({ GEMINI_API_KEY: "g", OPENAI_API_KEY: "o" }).provider).toMatchObject({
      id: "openai",
      format: "openai-chat",
    });
    expect(loadChatConfig({ ANTHROPIC_API_KEY: "a", GEMINI_API_KEY: "g" }).provider).toMatchObject({
      id: "anthropic",
      format: "anthropic",
    });
    const openrouter = loadChatConfig({
      OPENROUTER_API_KEY: "k",
      OPENAI_API_KEY: "o",
      OPENROUTER_SITE_URL: "https://x.y",
    }).provider;
    expect(openrouter).toMatchObject({
      id: "openrouter",
      model: "google/gemini-3-flash-preview",
      baseUrl: "https://openrouter.ai/api/v1/",
      headers: { "HTTP-Referer": "https://x.y", "X-Title": "Ingot Chat" },
    });
    expect(loadChatConfig({ OPENAI_BASE_URL: "http://localhost:11434/v1" }).provider).toMatchObject(
      {
        id: "openai-compatible",
        apiKey: "",
        baseUrl: "http://localhost:11434/v1/",
      },
    );
    expect(loadChatConfig({ CHAT_PROVIDER: "sim", OPENAI_API_KEY: "o" }).provider.id).toBe("sim");
  });

  it("turns embeddings on for providers with an embeddings API, off offline", () => {
    expect(loadChatConfig({}).embeddings.enabled).toBe(false);
    expect(loadChatConfig({ OPENAI_API_KEY: "o" }).embeddings.enabled).toBe(true);
    expect(loadChatConfig({ ANTHROPIC_API_KEY: "a" }).embeddings.enabled).toBe(false);
    expect(loadChatConfig({ OPENAI_API_KEY: "o", CHAT_EMBEDDINGS: "off" }).embeddings.enabled).toBe(
      false,
    );
    expect(loadChatConfig({ CHAT_EMBEDDINGS: "on" }).embeddings.enabled).toBe(true);
    expect(() => loadChatConfig({ ANTHROPIC_API_KEY: "a", CHAT_EMBEDDINGS: "on" })).toThrow(
      /no embeddings API/,
    );
  });

  it("honours PORT, INGOT_PORT and INGOT_URL, and rejects bad values with a message", () => {
    const start = loadStartConfig({ PORT: "4000", INGOT_PORT: "9000" });
    expect(start).toMatchObject({
      ingotPort: 9000,
      externalIngot: false,
      chat: { port: 4000, ingot: { url: "http://127.0.0.1:9000" } },
    });
    expect(loadStartConfig({ INGOT_URL: "http://ingot.internal:8288/" }).chat.ingot.url).toBe(
      "http://ingot.internal:8288",
    );
    expect(loadStartConfig({ INGOT_URL: "http://ingot.internal:8288" }).externalIngot).toBe(true);
    expect(() => loadChatConfig({ PORT: "http" })).toThrow(ConfigError);
    expect(() => loadChatConfig({ PORT: "99999" })).toThrow(/PORT: at most 65535/);
    expect(() => loadChatConfig({ CHAT_PROVIDER: "nope" })).toThrow(
      /CHAT_PROVIDER: expected one of/,
    );
    expect(() => loadChatConfig({ CHAT_SYNC: "maybe" })).toThrow(
      /CHAT_SYNC: expected true or false/,
    );
  });
});

describe("provider formats", () => {
  const config = loadChatConfig({ OPENAI_API_KEY: "sk" });
  const prompt = {
    system: "sys",
    turns: [{ role: "user" as const, content: "q" }],
    temperature: 0.3,
    maxTokens: 50,
  };

  it("builds each wire format's body", () => {
    expect(chatBody(config.provider, prompt)).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "q" },
      ],
      temperature: 0.3,
      max_completion_tokens: 50,
    });
    const anthropic = loadChatConfig({ ANTHROPIC_API_KEY: "a" }).provider;
    expect(chatBody(anthropic, { ...prompt, maxTokens: undefined })).toMatchObject({
      system: "sys",
      max_tokens: 1024,
    });
    const gemini = loadChatConfig({ GEMINI_API_KEY: "g" }).provider;
    expect(directChatRequest(gemini, prompt)).toMatchObject({
      url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      headers: { "x-goog-api-key": "g" },
      body: {
        contents: [{ role: "user", parts: [{ text: "q" }] }],
        generationConfig: { temperature: 0.3, maxOutputTokens: 50 },
      },
    });
  });

  it("parses answers and refuses empty or malformed ones with a reason", () => {
    expect(
      parseAnswer("openai-chat", {
        model: "m",
        choices: [{ message: { content: "hi" } }],
        usage: { prompt_tokens: 3, completion_tokens: 1 },
      }),
    ).toEqual({ text: "hi", model: "m", usage: { input_tokens: 3, output_tokens: 1 } });
    expect(
      parseAnswer("anthropic", {
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      }).text,
    ).toBe("ab");
    expect(
      parseAnswer("gemini", { candidates: [{ content: { parts: [{ text: "g" }] } }] }).text,
    ).toBe("g");
    expect(() =>
      parseAnswer("openai-chat", {
        choices: [{ message: { content: "" }, finish_reason: "length" }],
      }),
    ).toThrow("the model returned no text (finish reason: length)");
    expect(() => parseAnswer("openai-chat", { nope: true })).toThrow(/not a openai-chat answer/);
  });

  it("reads stream events of each format", () => {
    const ev = (data: string, event = "message") => ({ id: undefined, event, data });
    expect(streamPiece("openai-chat", ev('{"choices":[{"delta":{"content":"he"}}]}'))).toEqual({
      text: "he",
    });
    expect(streamPiece("openai-chat", ev("[DONE]"))).toEqual({ done: true });
    expect(streamPiece("openai-chat", ev('{"error":{"message":"overloaded"}}'))).toEqual({
      error: "overloaded",
    });
    expect(
      streamPiece(
        "anthropic",
        ev('{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}'),
      ),
    ).toEqual({ text: "x" });
    expect(streamPiece("anthropic", ev('{"type":"message_stop"}'))).toEqual({ done: true });
    expect(
      streamPiece("gemini", ev('{"candidates":[{"content":{"parts":[{"text":"g"}]}}]}')),
    ).toEqual({ text: "g" });
  });

  it("builds embeddings requests and normalises vectors in input order", () => {
    expect(
      embeddingRequest(config.provider, { texts: ["a"], task: "query", dimensions: 256 }),
    ).toMatchObject({
      url: "https://api.openai.com/v1/embeddings",
      headers: { authorization: "Bearer sk" },
      body: {
        model: "text-embedding-3-small",
        input: ["a"],
        encoding_format: "float",
        dimensions: 256,
      },
    });
    const json = {
      data: [
        { index: 1, embedding: [0, 2] },
        { index: 0, embedding: [3, 4] },
      ],
    };
    expect(parseEmbeddings(config.provider, json, 2)).toEqual([
      [0.6, 0.8],
      [0, 1],
    ]);
    expect(() => parseEmbeddings(config.provider, json, 3)).toThrow(/expected 3 embeddings/);
  });
});

describe("SSE parsing", () => {
  it("handles CRLF, multi-line data, comments and ids split across chunks", async () => {
    const parts = [
      ": hi\r\nid: 7\r\nevent: delta\r\ndata: a\r",
      "\ndata: b\r\n\r\ndata: [DONE]\n\n",
    ];
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readSse(body)) events.push(event);
    expect(events).toEqual([
      { id: "7", event: "delta", data: "a\nb" },
      { id: "7", event: "message", data: "[DONE]" },
    ]);
  });
});

describe("stream hub (direct path)", () => {
  it("replays after an id, delivers live events, and ends", () => {
    const hub = new StreamHub();
    hub.open("r");
    hub.delta("r", "a");
    hub.delta("r", "b");
    const seen: HubEvent[] = [];
    const unsubscribe = hub.subscribe("r", 1, (e) => seen.push(e));
    hub.reset("r", "retry");
    hub.end("r");
    hub.delta("r", "ignored after end");
    expect(seen).toEqual([
      { id: 2, event: "delta", text: "b" },
      { id: 3, event: "reset", reason: "retry" },
      { id: 4, event: "end" },
    ]);
    unsubscribe?.();
    expect(hub.subscribe("unknown", 0, () => undefined)).toBeUndefined();
    hub.close();
  });
});

describe("rate limit", () => {
  it("allows a burst per client, then 429s until tokens refill", async () => {
    let now = 0;
    const app = new Hono();
    app.use(
      rateLimit({ perMinute: 3, clientKey: (c) => c.req.header("x-client") ?? "", now: () => now }),
    );
    app.get("/", (c) => c.text("ok"));
    app.onError((error, c) =>
      error instanceof ChatError
        ? c.json({ retryAfter: error.retryAfter }, error.status)
        : c.text("?", 500),
    );
    const hit = async (client: string) =>
      (await app.request("/", { headers: { "x-client": client } })).status;
    expect([await hit("a"), await hit("a"), await hit("a"), await hit("a")]).toEqual([
      200, 200, 200, 429,
    ]);
    const limited = await app.request("/", { headers: { "x-client": "a" } });
    expect(await limited.json()).toEqual({ retryAfter: 20 });
    expect(await hit("b")).toBe(200);
    now += 20_000;
    expect([await hit("a"), await hit("a")]).toEqual([200, 429]);
  });
});

describe("logger", () => {
  it("writes JSON lines and masks fields that look like secrets", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", write: (line) => lines.push(line) }).child({
      component: "t",
    });
    logger.debug("hidden");
    logger.info("hello", { apiKey: "sk-secret", n: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "info",
      component: "t",
      msg: "hello",
      apiKey: "[redacted]",
      n: 1,
    });
    expect(lines[0]).not.toContain("sk-secret");
  });
});
