import { describe, expect, it } from "vitest";
import type { CallOutcome } from "../src/index.js";
import { client, sim, SIM_NOW } from "./helpers.js";

const KEY = "sk-test-key";
const chatBody = (content: string): unknown => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content }],
});

async function openai(content: string, path = "/v1/chat/completions"): Promise<CallOutcome> {
  const s = await sim();
  return client().infer(
    { url: `${s.url}${path}`, format: "openai-chat", body: chatBody(content) },
    KEY,
    5000,
  );
}

describe("infer (non-streamed) against llm-sim", () => {
  it("decodes a gzip-encoded answer", async () => {
    const out = await openai("zipped [[sim: gzip]]");
    expect(out).toMatchObject({
      ok: true,
      status: 200,
      data: { choices: [{ message: { content: "echo: zipped" } }] },
    });
  });

  it("does not retry OpenAI's insufficient_quota 429", async () => {
    const s = await sim();
    s.enqueue({
      respond: {
        status: 429,
        retryAfter: 1,
        error: {
          type: "insufficient_quota",
          code: "insufficient_quota",
          message: "You exceeded your current quota",
        },
      },
    });
    const out = await client().infer(
      { url: `${s.url}/v1/chat/completions`, format: "openai-chat", body: chatBody("x") },
      KEY,
      5000,
    );
    expect(out).toMatchObject({ ok: false, status: 429, retriable: false, retryAfterMs: 1000 });
  });

  it("does not retry Anthropic's spend-limit 429, but does retry a plain rate limit", async () => {
    const s = await sim();
    s.enqueue({ respond: { status: 429, error: { code: "enforced_spend_limit_reached" } } });
    s.enqueue({ respond: { status: 429 } });
    const call = (): Promise<CallOutcome> =>
      client().infer(
        {
          url: `${s.url}/v1/messages`,
          format: "anthropic",
          headers: { "anthropic-version": "2023-06-01" },
          body: {
            model: "claude-haiku-4-5",
            max_tokens: 10,
            messages: [{ role: "user", content: "x" }],
          },
        },
        KEY,
        5000,
      );
    expect(await call()).toMatchObject({ ok: false, status: 429, retriable: false });
    expect(await call()).toMatchObject({
      ok: false,
      status: 429,
      retriable: true,
      retryAfterMs: 60_000,
    });
  });

  it("reads Gemini's RetryInfo from the body when no header says how long", async () => {
    const s = await sim();
    // A Gemini 429 whose only hint is in the body (the simulator adds RetryInfo from retryAfter,
    // and the header is removed by overriding it with an empty value).
    s.enqueue({ respond: { status: 429, retryAfter: 7, headers: { "retry-after": "" } } });
    const out = await client(() => SIM_NOW).infer(
      {
        url: `${s.url}/v1beta/models/gemini-2.5-flash:generateContent`,
        format: "gemini",
        body: { contents: [{ role: "user", parts: [{ text: "x" }] }] },
      },
      KEY,
      5000,
    );
    expect(out).toMatchObject({ ok: false, status: 429, retriable: true, retryAfterMs: 7000 });
    expect(s.requests[0]?.query.key).toEqual([KEY]);
  });

  it("treats an OpenRouter error inside a 200 as the failure it describes", async () => {
    const out = await openai("x [[sim: error-in-body=502]]", "/api/v1/chat/completions");
    expect(out).toMatchObject({
      ok: false,
      status: 502,
      retriable: true,
      message: "Provider returned error",
      data: { error: { code: 502, message: "Provider returned error" } },
    });
  });

  it("retries a 200 whose body is not JSON", async () => {
    const out = await openai("x [[sim: malformed]]");
    expect(out).toMatchObject({
      ok: false,
      status: 200,
      retriable: true,
      message: "provider answered with a body that is not JSON",
    });
  });

  it("keeps a CDN's HTML error page as a string", async () => {
    const out = await openai("x [[sim: html=503]]");
    expect(out).toMatchObject({ ok: false, status: 503, retriable: true });
    if (out.ok) throw new Error("unreachable");
    expect(typeof out.data).toBe("string");
    expect(out.rawBody).toBe(out.data);
  });

  it("reports a reset connection as a retriable transport failure", async () => {
    const out = await openai("x [[sim: reset]]");
    expect(out).toMatchObject({
      ok: false,
      status: null,
      retriable: true,
      data: null,
      rawBody: "",
    });
    if (out.ok) throw new Error("unreachable");
    expect(out.message).toMatch(/^Error making AI request: /u);
  });

  it("fails a 400 at once and keeps the provider's error body", async () => {
    const s = await sim();
    const out = await client().infer(
      { url: `${s.url}/v1/chat/completions`, format: "openai-chat", body: { model: "m" } },
      KEY,
      5000,
    );
    expect(out).toEqual({
      ok: false,
      status: 400,
      retriable: false,
      message: "Error making AI request: unsuccessful status code: 400",
      rawBody: JSON.stringify({
        error: {
          message: "Missing required parameter: 'messages'.",
          type: "invalid_request_error",
          param: "messages",
          code: "missing_required_parameter",
        },
      }),
      data: {
        error: {
          message: "Missing required parameter: 'messages'.",
          type: "invalid_request_error",
          param: "messages",
          code: "missing_required_parameter",
        },
      },
      latencyMs: expect.any(Number),
    });
  });
});
