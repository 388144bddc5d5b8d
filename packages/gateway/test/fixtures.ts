/** Provider responses as documented (ai-gateway.md §1.6, §3) or captured from llm-sim. */

/** §3.1: a tool-call answer. */
export const OPENAI_TOOL_CALL = {
  id: "chatcmpl-abc",
  object: "chat.completion",
  created: 1735689600,
  model: "gpt-4o-2024-08-06",
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
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    },
  ],
  usage: {
    prompt_tokens: 52,
    completion_tokens: 17,
    total_tokens: 69,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: "default",
  system_fingerprint: "fp_x",
};

/** An o-series answer with cached prompt and reasoning tokens. */
export const OPENAI_REASONING = {
  id: "chatcmpl-r",
  object: "chat.completion",
  created: 1735689600,
  model: "o4-mini-2025-04-16",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "The answer is 42.", refusal: null },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: {
    prompt_tokens: 2048,
    completion_tokens: 900,
    total_tokens: 2948,
    prompt_tokens_details: { cached_tokens: 1920 },
    completion_tokens_details: { reasoning_tokens: 768 },
  },
};

/** DeepSeek (llm-sim deepseek dialect with `cachedTokens: 2`). */
export const DEEPSEEK_CHAT = {
  id: "chatcmpl-sim-000001",
  object: "chat.completion",
  created: 1767323045,
  model: "deepseek-chat",
  choices: [
    {
      index: 0,
      message: { role: "assistant", refusal: null, annotations: [], content: "echo: hi" },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: {
    prompt_tokens: 10,
    completion_tokens: 2,
    total_tokens: 12,
    prompt_cache_hit_tokens: 2,
    prompt_cache_miss_tokens: 8,
  },
};

/** §3.2 Responses: a text item after a reasoning item, and a function call. */
export const RESPONSES = {
  id: "resp_1",
  object: "response",
  created_at: 1735689600,
  status: "completed",
  error: null,
  incomplete_details: null,
  model: "gpt-5-mini-2025-08-07",
  output: [
    { type: "reasoning", id: "rs_1", summary: [] },
    {
      type: "message",
      id: "msg_1",
      status: "completed",
      role: "assistant",
      content: [
        { type: "output_text", text: "Checking the weather ", annotations: [] },
        { type: "output_text", text: "in Paris.", annotations: [] },
      ],
    },
    {
      type: "function_call",
      id: "fc_1",
      call_id: "call_9",
      name: "get_weather",
      arguments: '{"city":"Paris"}',
      status: "completed",
    },
  ],
  usage: {
    input_tokens: 1200,
    input_tokens_details: { cached_tokens: 1024 },
    output_tokens: 300,
    output_tokens_details: { reasoning_tokens: 128 },
    total_tokens: 1500,
  },
};

export const RESPONSES_INCOMPLETE = {
  ...RESPONSES,
  status: "incomplete",
  incomplete_details: { reason: "max_output_tokens" },
};

/** §1.6, verbatim. */
export const ANTHROPIC_TEXT = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-3-5-sonnet-20241022",
  content: [{ type: "text", text: "Hi there!" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: {
    input_tokens: 9,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 11,
    service_tier: "standard",
  },
};

/** Thinking, text and a tool call, with prompt caching. */
export const ANTHROPIC_TOOL_CACHED = {
  id: "msg_02",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [
    { type: "thinking", thinking: "The user wants weather.", signature: "sig" },
    { type: "text", text: "Let me check." },
    { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris", days: 3 } },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: {
    input_tokens: 30,
    cache_creation_input_tokens: 500,
    cache_read_input_tokens: 2000,
    output_tokens: 120,
  },
};

/** §3.7, verbatim: a function call. */
export const GEMINI_TOOL = {
  candidates: [
    {
      content: {
        role: "model",
        parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }],
      },
      finishReason: "STOP",
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 31,
    candidatesTokenCount: 7,
    totalTokenCount: 38,
    thoughtsTokenCount: 0,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: 31 }],
  },
  modelVersion: "gemini-2.5-flash",
  responseId: "abc123",
};

/** A thinking model with a cached prefix: thoughts are billed as output. */
export const GEMINI_THINKING = {
  candidates: [
    {
      content: {
        role: "model",
        parts: [
          { text: "Weighing options…", thought: true },
          { text: "Use a " },
          { text: "queue." },
        ],
      },
      finishReason: "MAX_TOKENS",
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 4000,
    cachedContentTokenCount: 3000,
    candidatesTokenCount: 50,
    thoughtsTokenCount: 200,
    totalTokenCount: 4250,
  },
  modelVersion: "gemini-2.5-pro",
};

export const GEMINI_BLOCKED = {
  promptFeedback: { blockReason: "SAFETY" },
  usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
  modelVersion: "gemini-2.5-flash",
};

/** Bedrock Converse. */
export const BEDROCK_CONVERSE = {
  output: {
    message: {
      role: "assistant",
      content: [
        { text: "Sure." },
        { toolUse: { toolUseId: "tooluse_1", name: "lookup", input: { q: "x" } } },
      ],
    },
  },
  stopReason: "tool_use",
  usage: {
    inputTokens: 100,
    outputTokens: 20,
    totalTokens: 170,
    cacheReadInputTokens: 40,
    cacheWriteInputTokens: 10,
  },
  metrics: { latencyMs: 321 },
};
