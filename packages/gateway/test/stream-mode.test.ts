import { describe, expect, it } from "vitest";
import { prepareStreamingRequest, streamMode } from "../src/index.js";

const messages = [{ role: "user", content: "hi" }];
const GEMINI = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash";

describe("streamMode", () => {
  it.each([
    [
      "openai-chat",
      "https://api.openai.com/v1/chat/completions",
      { messages, stream: true },
      "sse",
    ],
    ["openai-chat", "https://api.openai.com/v1/chat/completions", { messages }, "none"],
    ["openai-chat", "https://api.openai.com/v1/chat/completions", { stream: "true" }, "none"],
    ["grok", "https://api.x.ai/v1/chat/completions", { stream: true }, "sse"],
    ["azure-openai", "https://a.openai.azure.com/x", { stream: true }, "sse"],
    ["openai-responses", "https://api.openai.com/v1/responses", { stream: true }, "sse"],
    ["anthropic", "https://api.anthropic.com/v1/messages", { stream: true }, "sse"],
    ["anthropic", "https://api.anthropic.com/v1/messages", { stream: false }, "none"],
    ["gemini", `${GEMINI}:generateContent`, { contents: [], stream: true }, "sse"],
    ["gemini", `${GEMINI}:generateContent`, { contents: [] }, "none"],
    ["gemini", `${GEMINI}:streamGenerateContent?alt=sse`, { contents: [] }, "sse"],
    ["bedrock", "https://bedrock-runtime.us-east-1.amazonaws.com/x", { stream: true }, "none"],
    ["openai-chat", "https://api.openai.com/v1/chat/completions", null, "none"],
  ])("%s %s %j → %s", (format, url, body, expected) => {
    expect(streamMode({ format, url, body })).toBe(expected);
  });
});

describe("prepareStreamingRequest", () => {
  it("asks OpenAI-shaped providers for a final usage chunk", () => {
    const body = { model: "gpt-4o", messages, stream: true };
    const url = "https://api.openai.com/v1/chat/completions";
    expect(prepareStreamingRequest({ format: "openai-chat", url, body })).toEqual({
      url,
      body: { model: "gpt-4o", messages, stream: true, stream_options: { include_usage: true } },
    });
    // The op body is not modified.
    expect(body).toEqual({ model: "gpt-4o", messages, stream: true });
  });

  it("leaves stream_options the user set", () => {
    const body = { messages, stream: true, stream_options: { include_usage: false } };
    const url = "https://api.x.ai/v1/chat/completions";
    expect(prepareStreamingRequest({ format: "grok", url, body })).toEqual({ url, body });
  });

  it("keeps Responses and Anthropic bodies as they are", () => {
    const body = { model: "m", input: "x", stream: true };
    expect(
      prepareStreamingRequest({ format: "openai-responses", url: "https://h/r", body }),
    ).toEqual({ url: "https://h/r", body });
    const claude = { model: "c", max_tokens: 5, messages, stream: true };
    expect(
      prepareStreamingRequest({ format: "anthropic", url: "https://h/m", body: claude }),
    ).toEqual({ url: "https://h/m", body: claude });
  });

  it("moves Gemini's stream flag into the URL and keeps other query parameters", () => {
    const body = { contents: [{ parts: [{ text: "hi" }] }], stream: true };
    expect(
      prepareStreamingRequest({
        format: "gemini",
        url: `${GEMINI}:generateContent?key=AIza%2Bx&foo=a%20b`,
        body,
      }),
    ).toEqual({
      url: `${GEMINI}:streamGenerateContent?key=AIza%2Bx&foo=a%20b&alt=sse`,
      body: { contents: [{ parts: [{ text: "hi" }] }] },
    });
  });

  it("adds alt=sse to a Gemini stream URL that lacks it, replacing another alt", () => {
    expect(
      prepareStreamingRequest({
        format: "gemini",
        url: `${GEMINI}:streamGenerateContent?alt=json&key=k`,
        body: { contents: [] },
      }),
    ).toEqual({ url: `${GEMINI}:streamGenerateContent?key=k&alt=sse`, body: { contents: [] } });
  });

  it("returns a non-streaming request unchanged", () => {
    const body = { messages };
    expect(prepareStreamingRequest({ format: "openai-chat", url: "https://h/c", body })).toEqual({
      url: "https://h/c",
      body,
    });
  });
});
