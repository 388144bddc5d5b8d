import { describe, expect, it } from "vitest";
import {
  extractText,
  extractToolCalls,
  extractUsage,
  type AiCallRequest,
  type CallOutcome,
  type StreamDelta,
} from "../src/index.js";
import { client, sim, SIM_NOW } from "./helpers.js";

/**
 * Every streaming dialect of llm-sim, called the way the SDK adapters call the provider. The
 * simulator is deterministic (ids from the request's sequence number, `created` from the clock),
 * so a streamed answer from one fresh simulator must equal the non-streamed answer from another.
 */
interface Dialect {
  name: string;
  format: string;
  path: string;
  headers?: Record<string, string>;
  body: (prompt: string, stream: boolean) => Record<string, unknown>;
  /** Top-level fields of the non-streamed reply that llm-sim's chunks do not carry. */
  notInChunks: string[];
  /** Status an in-stream `error-in-body=503` stands for in this provider's error shape. */
  midStreamStatus: number;
}

const chat =
  (model: string | undefined) =>
  (prompt: string, stream: boolean): Record<string, unknown> => ({
    ...(model === undefined ? {} : { model }),
    messages: [{ role: "user", content: prompt }],
    ...(stream ? { stream: true } : {}),
  });

const DIALECTS: Dialect[] = [
  {
    name: "OpenAI chat",
    format: "openai-chat",
    path: "/v1/chat/completions",
    body: chat("gpt-4o-mini"),
    notInChunks: [],
    midStreamStatus: 500,
  },
  {
    name: "Azure OpenAI",
    format: "azure-openai",
    path: "/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21",
    headers: { "api-key": "sk-azure" },
    body: chat(undefined),
    notInChunks: ["prompt_filter_results"],
    midStreamStatus: 500,
  },
  {
    name: "xAI grok",
    format: "grok",
    path: "/xai/v1/chat/completions",
    body: chat("grok-4"),
    notInChunks: [],
    midStreamStatus: 500,
  },
  {
    name: "DeepSeek",
    format: "openai-chat",
    path: "/deepseek/v1/chat/completions",
    body: chat("deepseek-chat"),
    notInChunks: [],
    midStreamStatus: 500,
  },
  {
    name: "OpenRouter",
    format: "openai-chat",
    path: "/api/v1/chat/completions",
    body: chat("google/gemini-3-flash-preview"),
    notInChunks: ["provider"],
    midStreamStatus: 503,
  },
  {
    name: "OpenAI Responses",
    format: "openai-responses",
    path: "/v1/responses",
    body: (prompt, stream) => ({
      model: "gpt-5-mini",
      input: prompt,
      ...(stream ? { stream } : {}),
    }),
    notInChunks: [],
    midStreamStatus: 500,
  },
  {
    name: "Anthropic",
    format: "anthropic",
    path: "/v1/messages",
    headers: { "anthropic-version": "2023-06-01" },
    body: (prompt, stream) => ({
      model: "claude-sonnet-4-5",
      max_tokens: 256,
      messages: [{ role: "user", content: prompt }],
      ...(stream ? { stream } : {}),
    }),
    notInChunks: [],
    midStreamStatus: 500,
  },
  {
    name: "Gemini",
    format: "gemini",
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    body: (prompt, stream) => ({
      contents: [{ role: "user", parts: [{ text: prompt }] }],
      ...(stream ? { stream } : {}),
    }),
    notInChunks: [],
    midStreamStatus: 503,
  },
];

const KEY = "sk-test-key";
const PROMPT = "Tell me how durable steps survive a crash";

function request(d: Dialect, url: string, prompt: string, stream: boolean): AiCallRequest {
  return {
    url: `${url}${d.path}`,
    format: d.format,
    headers: d.headers ?? {},
    body: d.body(prompt, stream),
  };
}

function without(json: unknown, keys: string[]): unknown {
  if (typeof json !== "object" || json === null) return json;
  return Object.fromEntries(Object.entries(json).filter(([k]) => !keys.includes(k)));
}

async function streamed(
  d: Dialect,
  prompt: string,
  options: { chunkDelayMs?: number } = {},
): Promise<{
  outcome: CallOutcome;
  deltas: StreamDelta[];
  resolvedBeforeFirstDelta: boolean | undefined;
}> {
  const s = await sim({ chunkDelayMs: options.chunkDelayMs ?? 0 });
  const deltas: StreamDelta[] = [];
  let resolved = false;
  let resolvedBeforeFirstDelta: boolean | undefined;
  const pending = client().inferStream(request(d, s.url, prompt, true), KEY, {
    timeoutMs: 10_000,
    onDelta: (delta) => {
      if (deltas.length === 0) resolvedBeforeFirstDelta = resolved;
      deltas.push(delta);
    },
  });
  const outcome = await pending;
  resolved = true;
  return { outcome, deltas, resolvedBeforeFirstDelta };
}

async function unstreamed(d: Dialect, prompt: string): Promise<CallOutcome> {
  const s = await sim();
  return client().infer(request(d, s.url, prompt, false), KEY, 10_000);
}

function dataOf(outcome: CallOutcome): unknown {
  if (!outcome.ok) throw new Error(`call failed: ${outcome.message} ${outcome.rawBody}`);
  return outcome.data;
}

function texts(deltas: StreamDelta[]): string[] {
  return deltas.flatMap((d) => (d.type === "text" ? [d.text] : []));
}

describe.each(DIALECTS)("inferStream against llm-sim: $name", (d) => {
  it("delivers text deltas as they arrive and assembles the non-streamed answer", async () => {
    const { outcome, deltas, resolvedBeforeFirstDelta } = await streamed(d, PROMPT, {
      chunkDelayMs: 15,
    });
    const expected = without(dataOf(await unstreamed(d, PROMPT)), d.notInChunks);
    expect(dataOf(outcome)).toEqual(expected);
    // "echo: Tell me how durable steps survive a crash": one delta per word.
    expect(texts(deltas)).toEqual([
      "echo: ",
      "Tell ",
      "me ",
      "how ",
      "durable ",
      "steps ",
      "survive ",
      "a ",
      "crash",
    ]);
    expect(texts(deltas).join("")).toBe(extractText(d.format, expected));
    expect(resolvedBeforeFirstDelta).toBe(false);
    if (!outcome.ok) throw new Error("unreachable");
    expect(outcome.firstTokenMs).toBeGreaterThan(0);
    // Nine text events 15 ms apart come after the first one.
    expect(outcome.latencyMs - (outcome.firstTokenMs ?? 0)).toBeGreaterThanOrEqual(100);
    const usage = deltas.filter((x) => x.type === "usage").at(-1);
    const { model: _model, ...counts } = extractUsage(d.format, expected);
    expect(usage).toEqual({ type: "usage", ...counts });
  });

  it("assembles a tool call exactly as the non-streamed answer has it", async () => {
    const prompt = 'Weather? [[sim: tool=get_weather {"city":"Paris","days":3}]]';
    const { outcome, deltas } = await streamed(d, prompt);
    const expected = without(dataOf(await unstreamed(d, prompt)), d.notInChunks);
    expect(dataOf(outcome)).toEqual(expected);
    const calls = extractToolCalls(d.format, dataOf(outcome));
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ["get_weather", { city: "Paris", days: 3 }],
    ]);
    const fragments = deltas.flatMap((x) => (x.type === "tool_call" ? [x] : []));
    expect(fragments.find((f) => f.name !== undefined)?.name).toBe("get_weather");
    expect(JSON.parse(fragments.map((f) => f.argumentsDelta ?? "").join(""))).toEqual({
      city: "Paris",
      days: 3,
    });
  });

  it("reports a stream cut before its terminal marker as a retriable failure", async () => {
    const { outcome, deltas } = await streamed(d, `${PROMPT} [[sim: truncate=2]]`);
    expect(outcome).toMatchObject({ ok: false, retriable: true, status: null });
    if (outcome.ok) throw new Error("unreachable");
    expect(outcome.message).toMatch(
      /^Error making AI request: stream ended before its terminal marker \(.+\); the answer is incomplete$/u,
    );
    expect(deltas.filter((x) => x.type === "text").length).toBeLessThanOrEqual(2);
  });

  it("fails on an error event after the first delta", async () => {
    const { outcome, deltas } = await streamed(d, `${PROMPT} [[sim: error-in-body=503]]`);
    expect(texts(deltas)).toEqual(["echo: "]);
    expect(outcome).toMatchObject({ ok: false, retriable: true, status: d.midStreamStatus });
    if (outcome.ok) throw new Error("unreachable");
    expect(outcome.message).toContain("mid-stream");
    expect(outcome.data).not.toBeNull();
    expect(JSON.parse(outcome.rawBody)).toEqual(outcome.data);
  });

  it("fails a 429 with the provider's retry-after, without reading a stream", async () => {
    const { outcome, deltas } = await streamed(d, `${PROMPT} [[sim: status=429 retry-after=2]]`);
    expect(deltas).toEqual([]);
    expect(outcome).toMatchObject({
      ok: false,
      retriable: true,
      status: 429,
      retryAfterMs: 2000,
      message: "Error making AI request: unsuccessful status code: 429",
    });
    if (outcome.ok) throw new Error("unreachable");
    expect(JSON.parse(outcome.rawBody)).toEqual(outcome.data);
  });
});

describe("inferStream: the request sent", () => {
  it("adds include_usage for OpenAI-shaped bodies and keeps the user's other fields", async () => {
    const s = await sim();
    const out = await client().inferStream(
      {
        url: `${s.url}/v1/chat/completions`,
        format: "openai-chat",
        body: {
          model: "m",
          messages: [{ role: "user", content: "hi" }],
          stream: true,
          temperature: 0.2,
        },
      },
      KEY,
      { timeoutMs: 5000 },
    );
    expect(out.ok).toBe(true);
    expect(s.requests[0]?.json).toEqual({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      temperature: 0.2,
      stream_options: { include_usage: true },
    });
    expect(s.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("calls Gemini's streamGenerateContent with alt=sse, the key once, and no stream flag", async () => {
    const s = await sim();
    const out = await client().inferStream(
      {
        url: `${s.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${KEY}`,
        format: "gemini",
        body: { contents: [{ role: "user", parts: [{ text: "hi" }] }], stream: true },
      },
      KEY,
      { timeoutMs: 5000 },
    );
    expect(out.ok).toBe(true);
    expect(s.requests[0]?.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
    expect(s.requests[0]?.query).toEqual({ key: [KEY], alt: ["sse"] });
    expect(s.requests[0]?.json).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }] });
  });
});

describe("inferStream: other answers", () => {
  it("reads a JSON answer when the call does not stream", async () => {
    const s = await sim();
    const body = { model: "gpt-4o", messages: [{ role: "user", content: "plain" }] };
    const out = await client().inferStream(
      { url: `${s.url}/v1/chat/completions`, format: "openai-chat", body },
      KEY,
      {
        timeoutMs: 5000,
        onDelta: () => {
          throw new Error("no deltas expected");
        },
      },
    );
    expect(out).toMatchObject({
      ok: true,
      status: 200,
      data: { object: "chat.completion", choices: [{ message: { content: "echo: plain" } }] },
    });
    if (out.ok) expect(out.firstTokenMs).toBeUndefined();
  });

  it("classifies an auth error like infer: 401, not retriable, body kept", async () => {
    const s = await sim();
    const out = await client().inferStream(
      {
        url: `${s.url}/v1/messages`,
        format: "anthropic",
        headers: { "anthropic-version": "2023-06-01" },
        body: {
          model: "c",
          max_tokens: 5,
          messages: [{ role: "user", content: "x" }],
          stream: true,
        },
      },
      "bad-key",
      { timeoutMs: 5000 },
    );
    expect(out).toMatchObject({
      ok: false,
      retriable: false,
      status: 401,
      data: {
        type: "error",
        error: { type: "authentication_error", message: "invalid x-api-key" },
      },
    });
  });

  it("takes OpenAI's rate-limit reset on a 429 without retry-after", async () => {
    const s = await sim();
    s.enqueue({ respond: { status: 429 } });
    const out = await client().inferStream(request(DIALECTS[0]!, s.url, "x", true), KEY, {
      timeoutMs: 5000,
    });
    // llm-sim: x-ratelimit-remaining-requests 0, x-ratelimit-reset-requests 1s.
    expect(out).toMatchObject({ ok: false, status: 429, retriable: true, retryAfterMs: 1000 });
  });

  it("takes Anthropic's RFC 3339 reset on a 429 without retry-after, against the client clock", async () => {
    const s = await sim();
    s.enqueue({ respond: { status: 429 } });
    const anthropic = DIALECTS.find((x) => x.format === "anthropic")!;
    const out = await client(() => SIM_NOW).inferStream(request(anthropic, s.url, "x", true), KEY, {
      timeoutMs: 5000,
    });
    // llm-sim resets the limits 60 s after its clock, which the client shares.
    expect(out).toMatchObject({ ok: false, status: 429, retryAfterMs: 60_000 });
  });

  it("gives up on a silent stream after the idle timeout, retriably", async () => {
    // undici checks body timeouts on a ~0.5 s tick, so the gap must be well above that.
    const s = await sim({ chunkDelayMs: 3000 });
    const deltas: StreamDelta[] = [];
    const started = performance.now();
    const out = await client().inferStream(request(DIALECTS[0]!, s.url, PROMPT, true), KEY, {
      timeoutMs: 20_000,
      idleTimeoutMs: 200,
      onDelta: (x) => deltas.push(x),
    });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(out).toMatchObject({ ok: false, retriable: true, status: null });
    if (out.ok) throw new Error("unreachable");
    expect(out.message).toBe(
      "Error making AI request: response interrupted: BodyTimeoutError: Body Timeout Error",
    );
    expect(deltas).toEqual([]);
  });

  it("times out a provider that never answers", async () => {
    const s = await sim();
    const out = await client().inferStream(
      request(DIALECTS[0]!, s.url, `${PROMPT} [[sim: hang]]`, true),
      KEY,
      {
        timeoutMs: 150,
      },
    );
    expect(out).toMatchObject({ ok: false, retriable: true, status: null });
  });

  it("rejects when onDelta throws, and releases the connection", async () => {
    const s = await sim({ chunkDelayMs: 5 });
    const c = client();
    await expect(
      c.inferStream(request(DIALECTS[0]!, s.url, PROMPT, true), KEY, {
        timeoutMs: 5000,
        onDelta: () => {
          throw new Error("subscriber gone");
        },
      }),
    ).rejects.toThrow("subscriber gone");
    // The client still works on the same agent.
    const again = await c.inferStream(request(DIALECTS[0]!, s.url, "again", true), KEY, {
      timeoutMs: 5000,
    });
    expect(again.ok).toBe(true);
  });
});
