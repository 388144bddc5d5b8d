import { wireFamily, WireFamily } from "./formats.js";
import { isRecord, num, rec, str } from "./json.js";

/**
 * Token counts of one provider response, normalised across formats (ai-gateway.md §5.8).
 *
 * - `inputTokens` is every prompt token the call was billed for, cached or not: OpenAI's
 *   `prompt_tokens` already counts cached tokens; Anthropic reports the uncached remainder in
 *   `input_tokens` and the cache reads/writes beside it, so Anthropic's input is the sum
 *   `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`.
 * - `cachedInputTokens` (cache reads) and `cacheWriteInputTokens` (Anthropic/Bedrock cache
 *   creation) are subsets of `inputTokens`, priced differently.
 * - `outputTokens` includes reasoning tokens, as OpenAI's `completion_tokens` does; Gemini's
 *   `candidatesTokenCount` does not, so Gemini output is `candidates + thoughts`.
 * - `null` means the response did not say. Gemini omits zero counts (proto3 JSON), so inside a
 *   `usageMetadata` a missing count is 0.
 */
export interface TokenUsage {
  /** The model the provider says answered (`model`, Gemini `modelVersion`). */
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteInputTokens: number | null;
  reasoningTokens: number | null;
  totalTokens: number | null;
}

export const EMPTY_USAGE: TokenUsage = {
  model: null,
  inputTokens: null,
  outputTokens: null,
  cachedInputTokens: null,
  cacheWriteInputTokens: null,
  reasoningTokens: null,
  totalTokens: null,
};

function sum(...values: (number | null | undefined)[]): number | null {
  if (values.every((v) => v === null || v === undefined)) return null;
  return values.reduce<number>((acc, v) => acc + (v ?? 0), 0);
}

function openaiChatUsage(json: unknown): TokenUsage {
  const u = rec(json, "usage");
  const input = num(u, "prompt_tokens") ?? null;
  const output = num(u, "completion_tokens") ?? null;
  return {
    model: str(json, "model") ?? null,
    inputTokens: input,
    outputTokens: output,
    // DeepSeek reports cache hits as `prompt_cache_hit_tokens`.
    cachedInputTokens:
      num(rec(u, "prompt_tokens_details"), "cached_tokens") ??
      num(u, "prompt_cache_hit_tokens") ??
      null,
    cacheWriteInputTokens: null,
    reasoningTokens: num(rec(u, "completion_tokens_details"), "reasoning_tokens") ?? null,
    totalTokens: num(u, "total_tokens") ?? (u ? sum(input, output) : null),
  };
}

function responsesUsage(json: unknown): TokenUsage {
  const u = rec(json, "usage");
  const input = num(u, "input_tokens") ?? null;
  const output = num(u, "output_tokens") ?? null;
  return {
    model: str(json, "model") ?? null,
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: num(rec(u, "input_tokens_details"), "cached_tokens") ?? null,
    cacheWriteInputTokens: null,
    reasoningTokens: num(rec(u, "output_tokens_details"), "reasoning_tokens") ?? null,
    totalTokens: num(u, "total_tokens") ?? (u ? sum(input, output) : null),
  };
}

/** Anthropic's `input_tokens` excludes cache reads and writes; the sum is what was billed. */
function anthropicUsage(json: unknown): TokenUsage {
  const u = rec(json, "usage");
  const uncached = num(u, "input_tokens");
  const read = num(u, "cache_read_input_tokens") ?? null;
  const write = num(u, "cache_creation_input_tokens") ?? null;
  const output = num(u, "output_tokens") ?? null;
  const input = uncached === undefined ? null : uncached + (read ?? 0) + (write ?? 0);
  return {
    model: str(json, "model") ?? null,
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: read,
    cacheWriteInputTokens: write,
    reasoningTokens: null,
    totalTokens: input === null && output === null ? null : sum(input, output),
  };
}

function geminiUsage(json: unknown): TokenUsage {
  const u = rec(json, "usageMetadata");
  const model = str(json, "modelVersion") ?? null;
  if (!u) return { ...EMPTY_USAGE, model };
  const count = (key: string): number => num(u, key) ?? 0;
  const input = count("promptTokenCount") + count("toolUsePromptTokenCount");
  const thoughts = count("thoughtsTokenCount");
  const output = count("candidatesTokenCount") + thoughts;
  return {
    model,
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: count("cachedContentTokenCount"),
    cacheWriteInputTokens: null,
    reasoningTokens: thoughts,
    totalTokens: num(u, "totalTokenCount") ?? input + output,
  };
}

/**
 * Bedrock answers in its Converse shape (`usage.inputTokens`, cache counts beside it, like
 * Anthropic) or, for InvokeModel, in the vendor's own shape (Anthropic for Claude).
 */
function bedrockUsage(json: unknown): TokenUsage {
  const u = rec(json, "usage");
  if (num(u, "inputTokens") === undefined) {
    return isRecord(u) && "input_tokens" in u ? anthropicUsage(json) : openaiChatUsage(json);
  }
  const read = num(u, "cacheReadInputTokens") ?? null;
  const write = num(u, "cacheWriteInputTokens") ?? null;
  const input = (num(u, "inputTokens") ?? 0) + (read ?? 0) + (write ?? 0);
  const output = num(u, "outputTokens") ?? null;
  return {
    model: str(json, "model") ?? null,
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: read,
    cacheWriteInputTokens: write,
    reasoningTokens: null,
    totalTokens: sum(input, output),
  };
}

const USAGE: { [F in WireFamily]: (json: unknown) => TokenUsage } = {
  [WireFamily.openaiChat]: openaiChatUsage,
  [WireFamily.openaiResponses]: responsesUsage,
  [WireFamily.anthropic]: anthropicUsage,
  [WireFamily.gemini]: geminiUsage,
  [WireFamily.bedrock]: bedrockUsage,
};

/** Token usage of a (non-streamed or assembled) provider response; all `null` when absent. */
export function extractUsage(format: string, json: unknown): TokenUsage {
  return USAGE[wireFamily(format)](json);
}
