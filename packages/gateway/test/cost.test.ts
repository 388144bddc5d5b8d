import { describe, expect, it } from "vitest";
import { estimateCostUsd, extractUsage, findPrice, PRICE_TABLE } from "../src/index.js";
import { ANTHROPIC_TOOL_CACHED, GEMINI_THINKING, OPENAI_REASONING } from "./fixtures.js";

const usage = (
  inputTokens: number | null,
  outputTokens: number | null,
  cachedInputTokens: number | null = null,
  cacheWriteInputTokens: number | null = null,
): {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteInputTokens: number | null;
} => ({ inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens });

describe("the price table", () => {
  it("says where its numbers come from and when", () => {
    expect(PRICE_TABLE.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/u);
    expect(PRICE_TABLE.source).toContain("LiteLLM");
    expect(PRICE_TABLE.unit).toBe("USD per 1M tokens");
  });

  it("has no cached price above its input price", () => {
    for (const [key, price] of Object.entries(PRICE_TABLE.models)) {
      expect(price.cachedInput ?? 0, key).toBeLessThanOrEqual(price.input);
      expect(price.output, key).toBeGreaterThan(0);
    }
  });
});

describe("findPrice", () => {
  it.each([
    ["openai", "gpt-4o", "gpt-4o"],
    ["openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["openai", "gpt-4o-2024-08-06", "gpt-4o"],
    // A snapshot priced differently from its family has its own entry.
    ["openai", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13"],
    ["openai", "gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"],
    ["openai", "gpt-5.1-codex", "gpt-5.1"],
    ["openai", "o3-mini-2025-01-31", "o3-mini"],
    ["openai", "o4-mini", "o4-mini"],
    ["anthropic", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet"],
    ["anthropic", "claude-3-7-sonnet-latest", "claude-3-7-sonnet"],
    ["anthropic", "claude-opus-4-20250514", "claude-opus-4"],
    ["anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1"],
    ["anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
    ["anthropic", "claude-haiku-4-5", "claude-haiku-4-5"],
    ["google", "gemini-2.5-flash-lite", "gemini-2.5-flash-lite"],
    ["google", "gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"],
    ["google", "models/gemini-2.5-pro", "gemini-2.5-pro"],
    ["google", "gemini-3-pro-preview", "gemini-3-pro-preview"],
    ["xai", "grok-4-0709", "grok-4"],
    ["xai", "grok-4-1-fast-reasoning", "grok-4-1-fast"],
    ["xai", "grok-3-mini", "grok-3-mini"],
    ["deepseek", "deepseek-reasoner", "deepseek-reasoner"],
    ["openrouter", "google/gemini-3-flash-preview", "google/gemini-3-flash-preview"],
    ["openrouter", "anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"],
    ["openrouter", "anthropic/claude-3.5-haiku", "claude-3-5-haiku"],
    ["openrouter", "openai/gpt-4o-mini", "gpt-4o-mini"],
    ["bedrock", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"],
    ["openai", "GPT-4O-MINI", "gpt-4o-mini"],
    // No boundary after the known id: `gpt-4` must not price `gpt-4o-…`-like unknowns.
    ["openai", "gpt-5.9", undefined],
    ["openai", "gpt-4oo", undefined],
    ["mistral", "mistral-large-latest", undefined],
  ])("%s %s → %s", (provider, model, key) => {
    expect(findPrice({ provider, model })?.key).toBe(key);
  });
});

describe("estimateCostUsd", () => {
  it("prices input and output by the exact id", () => {
    // 1M input × $2.50 + 1M output × $10.
    expect(
      estimateCostUsd({ provider: "openai", model: "gpt-4o", usage: usage(1_000_000, 1_000_000) }),
    ).toEqual({ usd: 12.5, priceKey: "gpt-4o" });
  });

  it("bills cached tokens at the cached price only", () => {
    // gpt-4o-mini: 600 × 0.15 + 400 × 0.075 + 500 × 0.60 = 90 + 30 + 300 = 420 per 1M.
    expect(
      estimateCostUsd({
        provider: "openai",
        model: "gpt-4o-mini-2024-07-18",
        usage: usage(1000, 500, 400),
      }),
    ).toEqual({ usd: 0.00042, priceKey: "gpt-4o-mini" });
  });

  it("prices an OpenAI reasoning answer from its extracted usage", () => {
    // o4-mini: (2048 − 1920) × 1.10 + 1920 × 0.275 + 900 × 4.40 = 140.8 + 528 + 3960 = 4628.8.
    const u = extractUsage("openai-chat", OPENAI_REASONING);
    expect(estimateCostUsd({ provider: "openai", model: "o4-mini", usage: u })).toEqual({
      usd: 0.0046288,
      priceKey: "o4-mini",
    });
  });

  it("prices Anthropic cache reads and writes separately", () => {
    // claude-sonnet-4-5: 30 × 3 + 2000 × 0.30 + 500 × 3.75 + 120 × 15
    //   = 90 + 600 + 1875 + 1800 = 4365 per 1M.
    const u = extractUsage("anthropic", ANTHROPIC_TOOL_CACHED);
    expect(estimateCostUsd({ provider: "anthropic", model: null, usage: u })).toEqual({
      usd: 0.004365,
      priceKey: "claude-sonnet-4-5",
    });
  });

  it("bills Gemini thoughts as output", () => {
    // gemini-2.5-pro: 1000 × 1.25 + 3000 × 0.125 + (50 + 200) × 10 = 1250 + 375 + 2500 = 4125.
    const u = extractUsage("gemini", GEMINI_THINKING);
    expect(estimateCostUsd({ provider: "google", model: "gemini-2.5-pro", usage: u })).toEqual({
      usd: 0.004125,
      priceKey: "gemini-2.5-pro",
    });
  });

  it("charges cached tokens the input price when the model has no cache discount", () => {
    // gpt-4o-2024-05-13: 1000 × 5 + 100 × 15 = 6500 per 1M.
    expect(
      estimateCostUsd({
        provider: "openai",
        model: "gpt-4o-2024-05-13",
        usage: usage(1000, 100, 800),
      }),
    ).toEqual({ usd: 0.0065, priceKey: "gpt-4o-2024-05-13" });
  });

  it("prices OpenRouter's vendor/model ids, exact first, then the model part", () => {
    // 10 000 × 0.50 + 2 000 × 3 = 11 000 per 1M.
    expect(
      estimateCostUsd({
        provider: "openrouter",
        model: "google/gemini-3-flash-preview",
        usage: usage(10_000, 2_000),
      }),
    ).toEqual({ usd: 0.011, priceKey: "google/gemini-3-flash-preview" });
    expect(
      estimateCostUsd({ provider: "openrouter", model: "x-ai/grok-3-mini", usage: usage(1e6, 0) }),
    ).toEqual({ usd: 0.3, priceKey: "grok-3-mini" });
    expect(
      estimateCostUsd({
        provider: "openrouter",
        model: "google/gemini-3-flash-preview:free",
        usage: usage(10_000, 2_000),
      }),
    ).toEqual({ usd: 0, priceKey: ":free" });
  });

  it("prefers the model the provider reports over the requested one", () => {
    // An Azure deployment name is not a model id; the response's model is.
    expect(
      estimateCostUsd({
        provider: "azure-openai",
        model: "prod-deployment",
        usage: { model: "gpt-4.1-mini-2025-04-14", ...usage(1e6, 1e6) },
      }),
    ).toEqual({ usd: 2, priceKey: "gpt-4.1-mini" });
    expect(
      estimateCostUsd({
        provider: "azure-openai",
        model: "gpt-4.1",
        usage: { model: "unknown-thing", ...usage(1e6, 0) },
      }),
    ).toEqual({ usd: 2, priceKey: "gpt-4.1" });
  });

  it("prices DeepSeek cache hits", () => {
    // 8 × 0.28 + 2 × 0.028 + 2 × 0.42 = 2.24 + 0.056 + 0.84 = 3.136 per 1M.
    expect(
      estimateCostUsd({ provider: "deepseek", model: "deepseek-chat", usage: usage(10, 2, 2) }),
    ).toEqual({ usd: 0.000003136, priceKey: "deepseek-chat" });
  });

  it("is null for an unknown model, a missing model, or missing usage", () => {
    expect(
      estimateCostUsd({ provider: "mistral", model: "mistral-large-latest", usage: usage(1, 1) }),
    ).toEqual({ usd: null, priceKey: null });
    expect(estimateCostUsd({ provider: "openai", model: null, usage: usage(1, 1) })).toEqual({
      usd: null,
      priceKey: null,
    });
    expect(
      estimateCostUsd({ provider: "openai", model: "gpt-4o", usage: usage(null, null) }),
    ).toEqual({ usd: null, priceKey: "gpt-4o" });
  });

  it("never bills more cached tokens than input tokens", () => {
    // Inconsistent usage (cached > input): all 100 input tokens at the cached price.
    expect(
      estimateCostUsd({ provider: "openai", model: "gpt-4o", usage: usage(100, 0, 500) }),
    ).toEqual({ usd: 0.000125, priceKey: "gpt-4o" });
  });
});
