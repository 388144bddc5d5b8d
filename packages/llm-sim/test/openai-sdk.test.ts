import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { cosine } from "../src/index.js";
import { rejection, sim } from "./helpers.js";

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        unit: { enum: ["c", "f"] },
        days: { type: "integer" },
      },
      required: ["city", "unit"],
    },
  },
};

function client(url: string, options: { maxRetries?: number; apiKey?: string } = {}): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey ?? "sk-test",
    baseURL: `${url}/v1`,
    maxRetries: options.maxRetries ?? 0,
  });
}

describe("openai SDK: chat completions", () => {
  it("parses a non-streamed echo reply with usage and deterministic ids", async () => {
    const s = await sim();
    const res = await client(s.url).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello world" },
      ],
    });
    expect(res.id).toBe("chatcmpl-sim-000001");
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]?.message.content).toBe("echo: Hello world");
    expect(res.choices[0]?.finish_reason).toBe("stop");
    // "Be brief." = 9 bytes -> 3 tokens; "Hello world" = 11 bytes -> 3 tokens.
    expect(res.usage?.prompt_tokens).toBe(6);
    expect(res.usage?.completion_tokens).toBe(5);
    expect(res.usage?.total_tokens).toBe(11);
    expect(res.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const recorded = s.requests[0];
    expect(recorded?.dialect).toBe("openai");
    expect(recorded?.endpoint).toBe("chat");
    expect(recorded?.headers["authorization"]).toBe("Bearer sk-test");
    expect(recorded?.model).toBe("gpt-4o-mini");
    expect(recorded?.userText).toBe("Hello world");
  });

  it("streams several deltas over time, then usage and [DONE]", async () => {
    const s = await sim({ chunkDelayMs: 25 });
    const stream = await client(s.url).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "one two three four" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: { text: string; at: number }[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content;
      if (delta) deltas.push({ text: delta, at: Date.now() });
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.map((d) => d.text).join("")).toBe("echo: one two three four");
    expect(deltas.length).toBe(5);
    const first = deltas[0]?.at ?? 0;
    const last = deltas.at(-1)?.at ?? 0;
    expect(last - first).toBeGreaterThanOrEqual(4 * 25 - 10);
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(6);
    expect(s.requests[0]?.rawBody).toContain('"include_usage":true');
  });

  it("returns a forced tool call with schema-derived arguments, then answers from the result", async () => {
    const s = await sim();
    const openai = client(s.url);
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "user", content: "Weather in Paris?" },
    ];
    const first = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      tools: [weatherTool],
      tool_choice: "required",
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(first.choices[0]?.message.content).toBeNull();
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.id).toBe("call_sim_000001_0");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "example", unit: "c" });

    messages.push(first.choices[0]!.message, {
      role: "tool",
      tool_call_id: call.id,
      content: "sunny and 21C",
    });
    const second = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      tools: [weatherTool],
      tool_choice: "required",
    });
    expect(second.choices[0]?.finish_reason).toBe("stop");
    expect(second.choices[0]?.message.content).toBe("tool result: get_weather: sunny and 21C");
  });

  it("streams a directive-requested tool call that the SDK's stream helper assembles", async () => {
    const s = await sim();
    const runner = client(s.url).chat.completions.stream({
      model: "gpt-4o-mini",
      messages: [
        { role: "user", content: 'go [[sim: tool=get_weather {"city":"Paris","unit":"f"}]]' },
      ],
      tools: [weatherTool],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris", unit: "f" });
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("throws APIError mid-stream for an error-in-body stream after the first delta", async () => {
    const s = await sim();
    s.enqueue({ respond: { errorInBody: 500, error: { message: "upstream died" } } });
    const stream = await client(s.url).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "a b c d" }],
      stream: true,
    });
    const seen: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    };
    const err = await rejection(consume(), OpenAI.APIError);
    expect(err.message).toContain("upstream died");
    expect(seen.join("")).toBe("echo: ");
  });
});

describe("openai SDK: responses", () => {
  it("parses a non-streamed response and its usage", async () => {
    const s = await sim();
    const res = await client(s.url).responses.create({
      model: "gpt-4o-mini",
      instructions: "Be brief.",
      input: "Hello there",
    });
    expect(res.id).toBe("resp_sim_000001");
    expect(res.status).toBe("completed");
    expect(res.output_text).toBe("echo: Hello there");
    expect(res.usage?.input_tokens).toBe(6);
    expect(res.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(s.requests[0]?.endpoint).toBe("responses");
  });

  it("streams events that the SDK's ResponseStream accumulates", async () => {
    const s = await sim();
    const stream = client(s.url).responses.stream({
      model: "gpt-4o-mini",
      input: "alpha beta gamma",
    });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.join("")).toBe("echo: alpha beta gamma");
    expect(final.output_text).toBe("echo: alpha beta gamma");
    expect(final.status).toBe("completed");
  });

  it("returns a function_call item, then answers from function_call_output", async () => {
    const s = await sim();
    const openai = client(s.url);
    const tools: OpenAI.Responses.FunctionTool[] = [
      {
        type: "function",
        name: "lookup",
        parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
        strict: false,
      },
    ];
    const first = await openai.responses.create({
      model: "gpt-4o-mini",
      input: "find it",
      tools,
      tool_choice: { type: "function", name: "lookup" },
    });
    const call = first.output[0];
    if (call?.type !== "function_call") throw new Error("expected function_call");
    expect(call.name).toBe("lookup");
    expect(JSON.parse(call.arguments)).toEqual({ q: "example" });
    const second = await openai.responses.create({
      model: "gpt-4o-mini",
      input: [
        { role: "user", content: "find it" },
        call,
        { type: "function_call_output", call_id: call.call_id, output: "found 42" },
      ],
      tools,
    });
    expect(second.output_text).toBe("tool result: lookup: found 42");
  });
});

describe("openai SDK: embeddings", () => {
  it("decodes the base64 vectors the SDK asks for by default", async () => {
    const s = await sim();
    const res = await client(s.url).embeddings.create({
      model: "text-embedding-3-small",
      input: ["the cat sat on the mat", "the cat ran", "quantum chromodynamics lecture"],
    });
    expect(s.requests[0]?.json).toMatchObject({ encoding_format: "base64" });
    const [a, b, c] = res.data.map((d) => d.embedding);
    expect(a).toHaveLength(256);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.2);
    expect(cosine(a!, a!)).toBeCloseTo(1, 5);
    expect(res.usage.prompt_tokens).toBe(6 + 3 + 8);
  });

  it("honours dimensions and float encoding", async () => {
    const s = await sim();
    const res = await client(s.url).embeddings.create({
      model: "text-embedding-3-small",
      input: "hello",
      dimensions: 32,
      encoding_format: "float",
    });
    expect(res.data[0]?.embedding).toHaveLength(32);
    expect(s.requests[0]?.json).toMatchObject({ encoding_format: "float", dimensions: 32 });
  });
});

describe("openai SDK: errors and retries", () => {
  it("maps statuses to the SDK's typed errors", async () => {
    const s = await sim({ models: ["gpt-4o-mini"] });
    const ask = (model = "gpt-4o-mini", apiKey = "sk-test") =>
      client(s.url, { apiKey }).chat.completions.create({
        model,
        messages: [{ role: "user", content: "x" }],
      });

    s.enqueue({ respond: { status: 429 } });
    const limited = await rejection(ask(), OpenAI.RateLimitError);
    expect(limited.status).toBe(429);
    expect(limited.code).toBe("rate_limit_exceeded");

    s.enqueue({ respond: { status: 500 } });
    expect((await rejection(ask(), OpenAI.InternalServerError)).status).toBe(500);

    const missing = await rejection(ask("gpt-9"), OpenAI.NotFoundError);
    expect(missing.code).toBe("model_not_found");
    expect(missing.message).toContain("The model `gpt-9` does not exist");

    const badKey = await rejection(ask("gpt-4o-mini", "bad-key"), OpenAI.AuthenticationError);
    expect(badKey.status).toBe(401);
    expect(badKey.code).toBe("invalid_api_key");
  });

  it("lets the SDK retry after the sim's retry-after", async () => {
    const s = await sim();
    s.enqueue({ respond: { status: 429, retryAfter: 1 } });
    const started = Date.now();
    const res = await client(s.url, { maxRetries: 2 }).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "retry me" }],
    });
    const elapsed = Date.now() - started;
    expect(res.choices[0]?.message.content).toBe("echo: retry me");
    expect(s.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(s.requests[1]?.headers["x-stainless-retry-count"]).toBe("1");
  });

  it("retries per retry-after-ms and stops when x-should-retry is false", async () => {
    const s = await sim();
    s.enqueue({ times: 2, respond: { status: 503, retryAfterMs: 150 } });
    const started = Date.now();
    await client(s.url, { maxRetries: 2 }).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "x" }],
    });
    expect(s.requests).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    s.reset();
    s.enqueue({ respond: { status: 500, shouldRetry: false } });
    await rejection(
      client(s.url, { maxRetries: 2 }).chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "x" }],
      }),
      OpenAI.InternalServerError,
    );
    expect(s.requests).toHaveLength(1);
  });
});
