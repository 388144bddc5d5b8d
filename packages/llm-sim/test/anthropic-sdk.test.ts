import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { rejection, sim } from "./helpers.js";

function client(url: string, options: { maxRetries?: number; apiKey?: string } = {}): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey ?? "sk-ant-test",
    baseURL: url,
    maxRetries: options.maxRetries ?? 0,
  });
}

const weatherTool: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather",
  input_schema: {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer", minimum: 3 } },
    required: ["city", "days"],
  },
};

describe("anthropic SDK: messages", () => {
  it("parses a non-streamed echo reply; SDK 1.x authenticates with Bearer on 2026-10-21", async () => {
    const s = await sim();
    const msg = await client(s.url).messages.create({
      model: "claude-test",
      max_tokens: 256,
      system: "Be brief.",
      messages: [{ role: "user", content: "Hello Claude" }],
    });
    expect(msg.id).toBe("msg_sim_000001");
    expect(msg.content).toEqual([{ type: "text", text: "echo: Hello Claude" }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.input_tokens).toBe(3 + 3);
    expect(msg.usage.output_tokens).toBe(5);
    expect(msg.usage.cache_read_input_tokens).toBe(0);
    const headers = s.requests[0]?.headers ?? {};
    expect(headers["anthropic-version"]).toBe("2026-10-21");
    expect(headers["authorization"]).toBe("Bearer sk-ant-test");
    expect(s.requests[0]?.dialect).toBe("anthropic");
  });

  it("reports cached prompt tokens the way Anthropic splits them", async () => {
    const s = await sim();
    s.enqueue({ respond: { cachedTokens: 2 } });
    const msg = await client(s.url).messages.create({
      model: "claude-test",
      max_tokens: 256,
      messages: [{ role: "user", content: "twelve bytes" }],
    });
    expect(msg.usage.cache_read_input_tokens).toBe(2);
    expect(msg.usage.input_tokens).toBe(1);
  });

  it("streams text deltas that MessageStream assembles", async () => {
    const s = await sim({ chunkDelayMs: 5 });
    const stream = client(s.url).messages.stream({
      model: "claude-test",
      max_tokens: 256,
      messages: [{ role: "user", content: "red green blue" }],
    });
    const deltas: string[] = [];
    stream.on("text", (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    expect(deltas).toEqual(["echo: ", "red ", "green ", "blue"]);
    expect(final.content).toEqual([{ type: "text", text: "echo: red green blue" }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(5);
  });

  it("clips at max_tokens with stop_reason max_tokens", async () => {
    const s = await sim();
    const msg = await client(s.url).messages.create({
      model: "claude-test",
      max_tokens: 2,
      messages: [{ role: "user", content: "a long question about many things" }],
    });
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.content[0]).toEqual({ type: "text", text: "echo: a " });
    expect(msg.usage.output_tokens).toBe(2);
  });

  it("returns tool_use for a forced tool, then answers from tool_result", async () => {
    const s = await sim();
    const anthropic = client(s.url);
    const first = await anthropic.messages.create({
      model: "claude-test",
      max_tokens: 256,
      tools: [weatherTool],
      tool_choice: { type: "tool", name: "get_weather" },
      messages: [{ role: "user", content: "Weather?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content[0];
    if (use?.type !== "tool_use") throw new Error("expected tool_use");
    expect(use.id).toBe("toolu_sim_000001_0");
    expect(use.input).toEqual({ city: "example", days: 3 });
    const second = await anthropic.messages.create({
      model: "claude-test",
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: use.id,
              content: [{ type: "text", text: "rainy" }],
            },
          ],
        },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content[0]).toMatchObject({
      type: "text",
      text: "tool result: get_weather: rainy",
    });
  });

  it("streams a tool_use block whose JSON the SDK reassembles", async () => {
    const s = await sim();
    const stream = client(s.url).messages.stream({
      model: "claude-test",
      max_tokens: 256,
      tools: [weatherTool],
      messages: [{ role: "user", content: '[[sim: tool=get_weather {"city":"Oslo","days":1}]]' }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content[0]).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "Oslo", days: 1 },
    });
  });
});

describe("anthropic SDK: models", () => {
  it("lists models at /v1/models, told apart from OpenAI's by anthropic-version", async () => {
    const s = await sim({ models: ["claude-a", "claude-b"] });
    const page = await client(s.url).models.list();
    expect(page.data.map((m) => m.id)).toEqual(["claude-a", "claude-b"]);
    expect(s.requests[0]).toMatchObject({ path: "/v1/models", dialect: "anthropic" });
  });
});

describe("anthropic SDK: errors and retries", () => {
  it("maps auth, rate-limit, overload and validation errors to typed classes", async () => {
    const s = await sim();
    const ask = (c: Anthropic, maxTokens = 10) =>
      c.messages.create({
        model: "claude",
        max_tokens: maxTokens,
        messages: [{ role: "user", content: "x" }],
      });

    const auth = await rejection(
      ask(client(s.url, { apiKey: "bad-key" })),
      Anthropic.AuthenticationError,
    );
    expect(auth.status).toBe(401);
    expect(auth.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });

    s.enqueue({ respond: { status: 429 } });
    expect((await rejection(ask(client(s.url)), Anthropic.RateLimitError)).type).toBe(
      "rate_limit_error",
    );

    s.enqueue({ respond: { status: 529 } });
    const overloaded = await rejection(ask(client(s.url)), Anthropic.InternalServerError);
    expect(overloaded.status).toBe(529);
    expect(overloaded.type).toBe("overloaded_error");
    expect(overloaded.requestID).toMatch(/^req_sim\d{6}$/u);

    const invalid = await rejection(ask(client(s.url), 0), Anthropic.BadRequestError);
    expect(invalid.message).toContain("max_tokens: Input should be greater than or equal to 1");
  });

  it("lets the SDK retry per retry-after-ms", async () => {
    const s = await sim();
    s.enqueue({ times: 2, respond: { status: 529, retryAfterMs: 200 } });
    const started = Date.now();
    const msg = await client(s.url, { maxRetries: 2 }).messages.create({
      model: "claude",
      max_tokens: 10,
      messages: [{ role: "user", content: "eventually" }],
    });
    expect(msg.content[0]).toMatchObject({ text: "echo: eventually" });
    expect(s.requests).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it("surfaces a mid-stream overloaded_error event", async () => {
    const s = await sim();
    s.enqueue({ respond: { errorInBody: 529 } });
    const stream = client(s.url).messages.stream({
      model: "claude",
      max_tokens: 100,
      messages: [{ role: "user", content: "a b c" }],
    });
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const err = await rejection(stream.finalMessage(), Anthropic.APIError);
    expect(err.type).toBe("overloaded_error");
    expect(texts).toEqual(["echo: "]);
  });
});
