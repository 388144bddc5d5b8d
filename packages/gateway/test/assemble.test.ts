import { describe, expect, it } from "vitest";
import { createStreamAssembler, type SseEvent, type StreamDelta } from "../src/index.js";

const data = (json: unknown): SseEvent => ({
  data: typeof json === "string" ? json : JSON.stringify(json),
});
const named = (json: { type: string }): SseEvent => ({
  event: json.type,
  data: JSON.stringify(json),
});

function run(format: string, events: SseEvent[]): { deltas: StreamDelta[]; result: unknown } {
  const assembler = createStreamAssembler(format);
  const deltas = events.flatMap((e) => assembler.push(e));
  return { deltas, result: assembler.finish() };
}

describe("OpenAI chat chunks", () => {
  const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o" };
  const chunk = (choice: object, extra: object = {}): SseEvent =>
    data({
      ...head,
      choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
      ...extra,
    });

  it("merges two parallel tool calls by index into full JSON-string arguments", () => {
    const { deltas, result } = run("openai-chat", [
      chunk({ delta: { role: "assistant", content: null } }),
      chunk({
        delta: {
          tool_calls: [
            {
              index: 0,
              id: "call_a",
              type: "function",
              function: { name: "get_weather", arguments: "" },
            },
          ],
        },
      }),
      chunk({ delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] } }),
      chunk({
        delta: {
          tool_calls: [
            {
              index: 1,
              id: "call_b",
              type: "function",
              function: { name: "get_time", arguments: '{"tz"' },
            },
          ],
        },
      }),
      chunk({ delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] } }),
      chunk({ delta: { tool_calls: [{ index: 1, function: { arguments: ':"CET"}' } }] } }),
      chunk({ delta: {}, finish_reason: "tool_calls" }),
      data({
        ...head,
        choices: [],
        usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
      }),
      data("[DONE]"),
    ]);
    expect(result).toEqual({
      ok: true,
      json: {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              refusal: null,
              annotations: [],
              tool_calls: [
                {
                  id: "call_a",
                  type: "function",
                  function: { name: "get_weather", arguments: '{"city":"Paris"}' },
                },
                {
                  id: "call_b",
                  type: "function",
                  function: { name: "get_time", arguments: '{"tz":"CET"}' },
                },
              ],
            },
            logprobs: null,
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
      },
    });
    expect(deltas).toEqual([
      { type: "tool_call", index: 0, id: "call_a", name: "get_weather" },
      { type: "tool_call", index: 0, argumentsDelta: '{"city":' },
      { type: "tool_call", index: 1, id: "call_b", name: "get_time", argumentsDelta: '{"tz"' },
      { type: "tool_call", index: 0, argumentsDelta: '"Paris"}' },
      { type: "tool_call", index: 1, argumentsDelta: ':"CET"}' },
      {
        type: "usage",
        inputTokens: 5,
        outputTokens: 9,
        cachedInputTokens: null,
        cacheWriteInputTokens: null,
        reasoningTokens: null,
        totalTokens: 14,
      },
    ]);
  });

  it("keeps DeepSeek reasoning_content and several choices apart", () => {
    const { result } = run("openai-chat", [
      data({
        ...head,
        model: "deepseek-reasoner",
        choices: [
          { index: 0, delta: { role: "assistant", reasoning_content: "Think" } },
          { index: 1, delta: { role: "assistant", content: "B" } },
        ],
      }),
      data({ ...head, choices: [{ index: 0, delta: { reasoning_content: "ing." } }] }),
      data({
        ...head,
        choices: [
          { index: 0, delta: { content: "A" }, finish_reason: "stop" },
          { index: 1, delta: {}, finish_reason: "length" },
        ],
      }),
      data("[DONE]"),
    ]);
    expect(result).toMatchObject({
      ok: true,
      json: {
        model: "deepseek-reasoner",
        choices: [
          {
            index: 0,
            message: { content: "A", reasoning_content: "Thinking." },
            finish_reason: "stop",
          },
          { index: 1, message: { content: "B" }, finish_reason: "length" },
        ],
      },
    });
  });

  it("fails on a mid-stream error chunk, retriable per its type", () => {
    const server = run("openai-chat", [
      chunk({ delta: { content: "Hel" } }),
      data({
        error: {
          message: "The server had an error",
          type: "server_error",
          param: null,
          code: null,
        },
      }),
      data("[DONE]"),
    ]);
    expect(server.deltas).toEqual([{ type: "text", text: "Hel" }]);
    expect(server.result).toEqual({
      ok: false,
      error: {
        retriable: true,
        status: 500,
        message: "provider reported an error mid-stream (500): The server had an error",
        data: {
          error: {
            message: "The server had an error",
            type: "server_error",
            param: null,
            code: null,
          },
        },
      },
    });
    const badRequest = run("openai-chat", [
      data({
        error: {
          message: "Invalid prompt",
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      }),
    ]);
    expect(badRequest.result).toMatchObject({
      ok: false,
      error: { retriable: false, status: 400 },
    });
  });

  it("fails OpenRouter's error chunk with its numeric code", () => {
    const { result } = run("openai-chat", [
      data({
        ...head,
        error: { code: 502, message: "Provider returned error" },
        choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
      }),
    ]);
    expect(result).toMatchObject({ ok: false, error: { retriable: true, status: 502 } });
  });

  it("is a retriable truncation without [DONE], even after finish_reason", () => {
    const { result } = run("openai-chat", [
      chunk({ delta: { content: "Hi" } }),
      chunk({ delta: {}, finish_reason: "stop" }),
    ]);
    expect(result).toEqual({
      ok: false,
      error: {
        retriable: true,
        status: null,
        message: "stream ended before its terminal marker (data: [DONE]); the answer is incomplete",
      },
    });
  });

  it("fails on an event that is not JSON", () => {
    const { result } = run("openai-chat", [data('{"id":"x","choices":[{"delta":'), data("[DONE]")]);
    expect(result).toEqual({
      ok: false,
      error: {
        retriable: true,
        status: null,
        message: 'stream event is not a JSON object: {"id":"x","choices":[{"delta":',
      },
    });
  });
});

describe("OpenAI Responses events", () => {
  const final = {
    id: "resp_1",
    object: "response",
    status: "completed",
    output: [],
    usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
  };

  it("returns the response of response.completed and streams text and call deltas", () => {
    const { deltas, result } = run("openai-responses", [
      named({ type: "response.created", response: { ...final, status: "in_progress" } } as never),
      named({
        type: "response.output_item.added",
        output_index: 0,
        item: { type: "function_call", call_id: "call_1", name: "f" },
      } as never),
      named({
        type: "response.function_call_arguments.delta",
        output_index: 0,
        delta: "{}",
      } as never),
      named({ type: "response.output_text.delta", output_index: 1, delta: "Hi" } as never),
      named({ type: "response.completed", response: final } as never),
    ]);
    expect(result).toEqual({ ok: true, json: final });
    expect(deltas.slice(0, 3)).toEqual([
      { type: "tool_call", index: 0, id: "call_1", name: "f" },
      { type: "tool_call", index: 0, argumentsDelta: "{}" },
      { type: "text", text: "Hi" },
    ]);
  });

  it("fails on response.failed; a server error is retriable, a bad image is not", () => {
    const failed = (code: string): unknown =>
      run("openai-responses", [
        named({
          type: "response.failed",
          response: { status: "failed", error: { code, message: "m" } },
        } as never),
      ]).result;
    expect(failed("server_error")).toMatchObject({
      ok: false,
      error: { retriable: true, status: 500 },
    });
    expect(failed("invalid_image_url")).toMatchObject({
      ok: false,
      error: { retriable: false, status: 400 },
    });
    expect(failed("rate_limit_exceeded")).toMatchObject({
      ok: false,
      error: { retriable: true, status: 429 },
    });
  });

  it("is truncated without response.completed", () => {
    expect(
      run("openai-responses", [named({ type: "response.created", response: final } as never)])
        .result,
    ).toMatchObject({
      ok: false,
      error: { retriable: true, message: expect.stringContaining("response.completed") },
    });
  });
});

describe("Anthropic events", () => {
  it("assembles thinking, text and tool_use blocks with parsed input", () => {
    const { deltas, result } = run("anthropic", [
      named({
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 10,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 5,
            output_tokens: 1,
          },
        },
      } as never),
      named({
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "" },
      } as never),
      named({
        type: "content_block_delta",
        index: 0,
        delta: { type: "thinking_delta", thinking: "Hmm" },
      } as never),
      named({
        type: "content_block_delta",
        index: 0,
        delta: { type: "signature_delta", signature: "sig" },
      } as never),
      named({ type: "content_block_stop", index: 0 } as never),
      named({ type: "ping" }),
      named({
        type: "content_block_start",
        index: 1,
        content_block: { type: "text", text: "" },
      } as never),
      named({
        type: "content_block_delta",
        index: 1,
        delta: { type: "text_delta", text: "Let me " },
      } as never),
      named({
        type: "content_block_delta",
        index: 1,
        delta: { type: "text_delta", text: "check." },
      } as never),
      named({ type: "content_block_stop", index: 1 } as never),
      named({
        type: "content_block_start",
        index: 2,
        content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
      } as never),
      named({
        type: "content_block_delta",
        index: 2,
        delta: { type: "input_json_delta", partial_json: "" },
      } as never),
      named({
        type: "content_block_delta",
        index: 2,
        delta: { type: "input_json_delta", partial_json: '{"city": "Pa' },
      } as never),
      named({
        type: "content_block_delta",
        index: 2,
        delta: { type: "input_json_delta", partial_json: 'ris"}' },
      } as never),
      named({ type: "content_block_stop", index: 2 } as never),
      named({
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { output_tokens: 42 },
      } as never),
      named({ type: "message_stop" }),
    ]);
    expect(result).toEqual({
      ok: true,
      json: {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5",
        content: [
          { type: "thinking", thinking: "Hmm", signature: "sig" },
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        ],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: {
          input_tokens: 10,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 5,
          output_tokens: 42,
        },
      },
    });
    expect(deltas.filter((d) => d.type !== "usage")).toEqual([
      { type: "text", text: "Let me " },
      { type: "text", text: "check." },
      { type: "tool_call", index: 2, id: "toolu_1", name: "get_weather" },
      { type: "tool_call", index: 2, argumentsDelta: '{"city": "Pa' },
      { type: "tool_call", index: 2, argumentsDelta: 'ris"}' },
    ]);
    expect(deltas.at(-1)).toEqual({
      type: "usage",
      inputTokens: 15,
      outputTokens: 42,
      cachedInputTokens: 5,
      cacheWriteInputTokens: 0,
      reasoningTokens: null,
      totalTokens: 57,
    });
  });

  it("fails on event: error; overloaded is retriable (529), invalid_request is not", () => {
    const overloaded = run("anthropic", [
      named({ type: "message_start", message: { id: "m", content: [] } } as never),
      {
        event: "error",
        data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      },
    ]);
    expect(overloaded.result).toEqual({
      ok: false,
      error: {
        retriable: true,
        status: 529,
        message: "provider reported an error mid-stream (529): Overloaded",
        data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      },
    });
    const invalid = run("anthropic", [
      {
        event: "error",
        data: '{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}',
      },
    ]);
    expect(invalid.result).toMatchObject({ ok: false, error: { retriable: false, status: 400 } });
  });

  it("fails on tool input that is not JSON", () => {
    const { result } = run("anthropic", [
      named({ type: "message_start", message: { id: "m", content: [] } } as never),
      named({
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: "t", name: "f", input: {} },
      } as never),
      named({
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json: '{"a":' },
      } as never),
      named({ type: "content_block_stop", index: 0 } as never),
      named({ type: "message_stop" }),
    ]);
    expect(result).toMatchObject({ ok: false, error: { retriable: true, status: null } });
  });

  it("is truncated without message_stop", () => {
    expect(
      run("anthropic", [
        named({ type: "message_start", message: { id: "m", content: [] } } as never),
      ]).result,
    ).toMatchObject({
      ok: false,
      error: { retriable: true, message: expect.stringContaining("message_stop") },
    });
  });
});

describe("Gemini chunks", () => {
  it("merges text parts, keeps thoughts apart, takes the last usage and finishReason", () => {
    const { deltas, result } = run("gemini", [
      data({
        candidates: [
          { content: { role: "model", parts: [{ text: "Plan", thought: true }] }, index: 0 },
        ],
        usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 },
        modelVersion: "gemini-2.5-pro",
        responseId: "r1",
      }),
      data({
        candidates: [
          { content: { role: "model", parts: [{ text: "ning.", thought: true }] }, index: 0 },
        ],
      }),
      data({ candidates: [{ content: { role: "model", parts: [{ text: "Hello " }] }, index: 0 }] }),
      data({
        candidates: [
          {
            content: {
              role: "model",
              parts: [{ text: "world" }, { functionCall: { name: "f", args: { a: 1 } } }],
            },
            index: 0,
          },
        ],
      }),
      data({
        candidates: [
          {
            content: { role: "model", parts: [{ text: "", thoughtSignature: "c2ln" }] },
            finishReason: "STOP",
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 5,
          candidatesTokenCount: 3,
          thoughtsTokenCount: 2,
          totalTokenCount: 10,
        },
        modelVersion: "gemini-2.5-pro",
        responseId: "r1",
      }),
    ]);
    expect(result).toEqual({
      ok: true,
      json: {
        candidates: [
          {
            content: {
              role: "model",
              parts: [
                { text: "Planning.", thought: true },
                { text: "Hello world" },
                { functionCall: { name: "f", args: { a: 1 } } },
                { text: "", thoughtSignature: "c2ln" },
              ],
            },
            finishReason: "STOP",
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 5,
          candidatesTokenCount: 3,
          thoughtsTokenCount: 2,
          totalTokenCount: 10,
        },
        modelVersion: "gemini-2.5-pro",
        responseId: "r1",
      },
    });
    expect(deltas.filter((d) => d.type !== "usage")).toEqual([
      { type: "text", text: "Hello " },
      { type: "text", text: "world" },
      { type: "tool_call", index: 0, name: "f", argumentsDelta: '{"a":1}' },
    ]);
  });

  it("ends a blocked prompt without candidates", () => {
    const blocked = {
      promptFeedback: { blockReason: "SAFETY" },
      usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 },
    };
    expect(run("gemini", [data(blocked)]).result).toEqual({ ok: true, json: blocked });
  });

  it("fails on an error chunk with its code", () => {
    const { result } = run("gemini", [
      data({ candidates: [{ content: { parts: [{ text: "a" }] } }] }),
      data({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }),
    ]);
    expect(result).toMatchObject({ ok: false, error: { retriable: true, status: 503 } });
  });

  it("is truncated without a finishReason", () => {
    expect(
      run("gemini", [data({ candidates: [{ content: { parts: [{ text: "a" }] } }] })]).result,
    ).toMatchObject({
      ok: false,
      error: { retriable: true, message: expect.stringContaining("finishReason") },
    });
  });
});

describe("bedrock", () => {
  it("does not stream", () => {
    expect(run("bedrock", [data({})]).result).toMatchObject({
      ok: false,
      error: { retriable: false },
    });
  });
});
