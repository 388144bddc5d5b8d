import { describe, expect, it } from "vitest";
import {
  extractStopReason,
  extractText,
  extractToolCalls,
  extractUsage,
  type TokenUsage,
} from "../src/index.js";
import {
  ANTHROPIC_TEXT,
  ANTHROPIC_TOOL_CACHED,
  BEDROCK_CONVERSE,
  DEEPSEEK_CHAT,
  GEMINI_BLOCKED,
  GEMINI_THINKING,
  GEMINI_TOOL,
  OPENAI_REASONING,
  OPENAI_TOOL_CALL,
  RESPONSES,
  RESPONSES_INCOMPLETE,
} from "./fixtures.js";

interface Case {
  name: string;
  format: string;
  json: unknown;
  usage: TokenUsage;
  stop: string | null;
  text: string;
}

const cases: Case[] = [
  {
    name: "OpenAI chat tool call (§3.1)",
    format: "openai-chat",
    json: OPENAI_TOOL_CALL,
    usage: {
      model: "gpt-4o-2024-08-06",
      inputTokens: 52,
      outputTokens: 17,
      cachedInputTokens: 0,
      cacheWriteInputTokens: null,
      reasoningTokens: 0,
      totalTokens: 69,
    },
    stop: "tool_calls",
    text: "",
  },
  {
    name: "OpenAI chat with cached and reasoning tokens",
    format: "openai-chat",
    json: OPENAI_REASONING,
    usage: {
      model: "o4-mini-2025-04-16",
      inputTokens: 2048,
      outputTokens: 900,
      cachedInputTokens: 1920,
      cacheWriteInputTokens: null,
      reasoningTokens: 768,
      totalTokens: 2948,
    },
    stop: "stop",
    text: "The answer is 42.",
  },
  {
    name: "grok and azure-openai read as OpenAI chat",
    format: "azure-openai",
    json: OPENAI_REASONING,
    usage: {
      model: "o4-mini-2025-04-16",
      inputTokens: 2048,
      outputTokens: 900,
      cachedInputTokens: 1920,
      cacheWriteInputTokens: null,
      reasoningTokens: 768,
      totalTokens: 2948,
    },
    stop: "stop",
    text: "The answer is 42.",
  },
  {
    name: "DeepSeek prompt_cache_hit_tokens",
    format: "openai-chat",
    json: DEEPSEEK_CHAT,
    usage: {
      model: "deepseek-chat",
      inputTokens: 10,
      outputTokens: 2,
      cachedInputTokens: 2,
      cacheWriteInputTokens: null,
      reasoningTokens: null,
      totalTokens: 12,
    },
    stop: "stop",
    text: "echo: hi",
  },
  {
    name: "OpenAI Responses",
    format: "openai-responses",
    json: RESPONSES,
    usage: {
      model: "gpt-5-mini-2025-08-07",
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 1024,
      cacheWriteInputTokens: null,
      reasoningTokens: 128,
      totalTokens: 1500,
    },
    stop: "completed",
    text: "Checking the weather in Paris.",
  },
  {
    name: "OpenAI Responses, incomplete",
    format: "openai-responses",
    json: RESPONSES_INCOMPLETE,
    usage: {
      model: "gpt-5-mini-2025-08-07",
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 1024,
      cacheWriteInputTokens: null,
      reasoningTokens: 128,
      totalTokens: 1500,
    },
    stop: "max_output_tokens",
    text: "Checking the weather in Paris.",
  },
  {
    name: "Anthropic (§1.6)",
    format: "anthropic",
    json: ANTHROPIC_TEXT,
    usage: {
      model: "claude-3-5-sonnet-20241022",
      inputTokens: 9,
      outputTokens: 11,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: null,
      totalTokens: 20,
    },
    stop: "end_turn",
    text: "Hi there!",
  },
  {
    name: "Anthropic with cache reads and writes: input is the billed sum",
    format: "anthropic",
    json: ANTHROPIC_TOOL_CACHED,
    usage: {
      model: "claude-sonnet-4-5-20250929",
      inputTokens: 30 + 2000 + 500,
      outputTokens: 120,
      cachedInputTokens: 2000,
      cacheWriteInputTokens: 500,
      reasoningTokens: null,
      totalTokens: 2650,
    },
    stop: "tool_use",
    text: "Let me check.",
  },
  {
    name: "Gemini function call (§3.7)",
    format: "gemini",
    json: GEMINI_TOOL,
    usage: {
      model: "gemini-2.5-flash",
      inputTokens: 31,
      outputTokens: 7,
      cachedInputTokens: 0,
      cacheWriteInputTokens: null,
      reasoningTokens: 0,
      totalTokens: 38,
    },
    stop: "STOP",
    text: "",
  },
  {
    name: "Gemini thinking: thoughts count as output, thought text is not the answer",
    format: "gemini",
    json: GEMINI_THINKING,
    usage: {
      model: "gemini-2.5-pro",
      inputTokens: 4000,
      outputTokens: 250,
      cachedInputTokens: 3000,
      cacheWriteInputTokens: null,
      reasoningTokens: 200,
      totalTokens: 4250,
    },
    stop: "MAX_TOKENS",
    text: "Use a queue.",
  },
  {
    name: "Gemini blocked prompt: zero counts are omitted on the wire",
    format: "gemini",
    json: GEMINI_BLOCKED,
    usage: {
      model: "gemini-2.5-flash",
      inputTokens: 12,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteInputTokens: null,
      reasoningTokens: 0,
      totalTokens: 12,
    },
    stop: "SAFETY",
    text: "",
  },
  {
    name: "Bedrock Converse",
    format: "bedrock",
    json: BEDROCK_CONVERSE,
    usage: {
      model: null,
      inputTokens: 150,
      outputTokens: 20,
      cachedInputTokens: 40,
      cacheWriteInputTokens: 10,
      reasoningTokens: null,
      totalTokens: 170,
    },
    stop: "tool_use",
    text: "Sure.",
  },
  {
    name: "Bedrock InvokeModel with a Claude body",
    format: "bedrock",
    json: ANTHROPIC_TEXT,
    usage: {
      model: "claude-3-5-sonnet-20241022",
      inputTokens: 9,
      outputTokens: 11,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: null,
      totalTokens: 20,
    },
    stop: "end_turn",
    text: "Hi there!",
  },
];

describe("usage, stop reason and text by format", () => {
  it.each(cases)("$name", ({ format, json, usage, stop, text }) => {
    expect(extractUsage(format, json)).toEqual(usage);
    expect(extractStopReason(format, json)).toBe(stop);
    expect(extractText(format, json)).toBe(text);
  });

  it.each(["openai-chat", "openai-responses", "anthropic", "gemini", "bedrock"])(
    "%s: a body without usage gives nulls, not zeros",
    (format) => {
      expect(extractUsage(format, { error: { message: "x" } })).toEqual({
        model: null,
        inputTokens: null,
        outputTokens: null,
        cachedInputTokens: null,
        cacheWriteInputTokens: null,
        reasoningTokens: null,
        totalTokens: null,
      });
      expect(extractStopReason(format, "not json")).toBeNull();
      expect(extractText(format, null)).toBe("");
    },
  );
});

describe("extractText", () => {
  it("cuts long text at maxChars and marks the cut", () => {
    const json = { choices: [{ message: { content: "abcdefghij" } }] };
    expect(extractText("openai-chat", json, 4)).toBe("abcd…");
    expect(extractText("openai-chat", json, 10)).toBe("abcdefghij");
  });

  it("does not split a surrogate pair", () => {
    const json = { choices: [{ message: { content: "ab😀cd" } }] };
    expect(extractText("openai-chat", json, 3)).toBe("ab…");
  });

  it("reads content parts and a refusal", () => {
    expect(
      extractText("openai-chat", {
        choices: [
          {
            message: {
              content: [
                { type: "text", text: "a" },
                { type: "text", text: "b" },
              ],
            },
          },
        ],
      }),
    ).toBe("ab");
    expect(
      extractText("openai-chat", {
        choices: [{ message: { content: null, refusal: "I can't help with that." } }],
      }),
    ).toBe("I can't help with that.");
  });
});

describe("extractToolCalls", () => {
  it.each([
    [
      "openai-chat",
      OPENAI_TOOL_CALL,
      [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
    ],
    [
      "openai-responses",
      RESPONSES,
      [{ id: "call_9", name: "get_weather", arguments: '{"city":"Paris"}' }],
    ],
    [
      "anthropic",
      ANTHROPIC_TOOL_CACHED,
      [{ id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris","days":3}' }],
    ],
    ["gemini", GEMINI_TOOL, [{ id: null, name: "get_weather", arguments: '{"city":"Paris"}' }]],
    ["bedrock", BEDROCK_CONVERSE, [{ id: "tooluse_1", name: "lookup", arguments: '{"q":"x"}' }]],
    ["anthropic", ANTHROPIC_TEXT, []],
  ])("%s", (format, json, expected) => {
    expect(extractToolCalls(format, json)).toEqual(expected);
  });
});
