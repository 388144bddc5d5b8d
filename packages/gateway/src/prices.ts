/**
 * Model prices as data: USD per million tokens. A TypeScript module rather than a JSON file so it
 * compiles into `dist` with the code (no copy step, no import attributes under NodeNext) and is
 * checked against `PriceTable`.
 *
 * Keys are provider model ids; lookup (cost.ts) tries the exact id, then the longest key that is
 * a prefix ending at a `-`, `:` or `@` boundary, so dated snapshots (`gpt-4o-mini-2024-07-18`,
 * `claude-3-5-sonnet-20241022`) find their family. A snapshot priced differently from its family
 * gets its own key (`gpt-4o-2024-05-13`). OpenRouter ids are `vendor/model`; an exact
 * `vendor/model` key wins, else the part after the slash is priced.
 *
 * Gemini 2.5 Pro and 3 Pro charge more above 200k prompt tokens; the table holds the ≤200k tier.
 * `cacheWrite` is Anthropic's 5-minute cache write (1.25 × input).
 */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cache reads; absent = the model has no discounted cache, cached tokens cost `input`. */
  cachedInput?: number;
  /** Cache creation (Anthropic, Bedrock); absent = billed as `input`. */
  cacheWrite?: number;
}

export interface PriceTable {
  source: string;
  as_of: string;
  unit: "USD per 1M tokens";
  models: Readonly<Record<string, ModelPrice>>;
}

export const PRICE_TABLE: PriceTable = {
  source:
    "LiteLLM model_prices_and_context_window.json (BerriAI/litellm, via the Wei-Shaw/model-price-repo sync of 2026-07-24), cross-checked with the OpenAI, Anthropic, Google AI, xAI and DeepSeek pricing pages; xAI grok-3/grok-4 and Claude 3.5 entries from the providers' pricing pages",
  as_of: "2026-07-24",
  unit: "USD per 1M tokens",
  models: {
    // OpenAI
    "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
    "gpt-4": { input: 30, output: 60 },
    "gpt-4-turbo": { input: 10, output: 30 },
    "gpt-4o": { input: 2.5, cachedInput: 1.25, output: 10 },
    "gpt-4o-2024-05-13": { input: 5, output: 15 },
    "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6 },
    "gpt-4.1": { input: 2, cachedInput: 0.5, output: 8 },
    "gpt-4.1-mini": { input: 0.4, cachedInput: 0.1, output: 1.6 },
    "gpt-4.1-nano": { input: 0.1, cachedInput: 0.025, output: 0.4 },
    "gpt-5": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gpt-5-mini": { input: 0.25, cachedInput: 0.025, output: 2 },
    "gpt-5-nano": { input: 0.05, cachedInput: 0.005, output: 0.4 },
    "gpt-5-pro": { input: 15, output: 120 },
    "gpt-5.1": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gpt-5.1-codex-mini": { input: 0.25, cachedInput: 0.025, output: 2 },
    "gpt-5.2": { input: 1.75, cachedInput: 0.175, output: 14 },
    "gpt-5.2-pro": { input: 21, output: 168 },
    "gpt-5.3-codex": { input: 1.75, cachedInput: 0.175, output: 14 },
    "gpt-5.3-chat-latest": { input: 1.75, cachedInput: 0.175, output: 14 },
    "gpt-5.4": { input: 2.5, cachedInput: 0.25, output: 15 },
    "gpt-5.4-mini": { input: 0.75, cachedInput: 0.075, output: 4.5 },
    "gpt-5.4-nano": { input: 0.2, cachedInput: 0.02, output: 1.25 },
    "gpt-5.4-pro": { input: 30, cachedInput: 3, output: 180 },
    "gpt-5.5": { input: 5, cachedInput: 0.5, output: 30 },
    "gpt-5.5-pro": { input: 30, cachedInput: 3, output: 180 },
    o1: { input: 15, cachedInput: 7.5, output: 60 },
    "o1-mini": { input: 1.1, cachedInput: 0.55, output: 4.4 },
    "o1-pro": { input: 150, output: 600 },
    o3: { input: 2, cachedInput: 0.5, output: 8 },
    "o3-mini": { input: 1.1, cachedInput: 0.55, output: 4.4 },
    "o3-pro": { input: 20, output: 80 },
    "o3-deep-research": { input: 10, cachedInput: 2.5, output: 40 },
    "o4-mini": { input: 1.1, cachedInput: 0.275, output: 4.4 },
    "o4-mini-deep-research": { input: 2, cachedInput: 0.5, output: 8 },

    // Anthropic
    "claude-3-haiku": { input: 0.25, cachedInput: 0.03, cacheWrite: 0.3, output: 1.25 },
    "claude-3-opus": { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75 },
    "claude-3-5-haiku": { input: 0.8, cachedInput: 0.08, cacheWrite: 1, output: 4 },
    "claude-3-5-sonnet": { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    "claude-3-7-sonnet": { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    "claude-haiku-4-5": { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 },
    "claude-sonnet-4": { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    "claude-sonnet-4-5": { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    "claude-sonnet-4-6": { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    "claude-opus-4": { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75 },
    "claude-opus-4-1": { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75 },
    "claude-opus-4-5": { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 },
    "claude-opus-4-6": { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 },
    "claude-opus-4-7": { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 },

    // Google Gemini (Gemini API, prompts ≤ 200k tokens)
    "gemini-2.0-flash": { input: 0.1, cachedInput: 0.025, output: 0.4 },
    "gemini-2.0-flash-lite": { input: 0.075, cachedInput: 0.01875, output: 0.3 },
    "gemini-2.5-flash": { input: 0.3, cachedInput: 0.03, output: 2.5 },
    "gemini-2.5-flash-lite": { input: 0.1, cachedInput: 0.01, output: 0.4 },
    "gemini-2.5-pro": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gemini-3-flash": { input: 0.5, cachedInput: 0.05, output: 3 },
    "gemini-3-flash-preview": { input: 0.5, cachedInput: 0.05, output: 3 },
    "gemini-3-pro-preview": { input: 2, cachedInput: 0.2, output: 12 },
    "gemini-3.1-flash-lite-preview": { input: 0.25, cachedInput: 0.025, output: 1.5 },
    "gemini-3.1-pro-preview": { input: 2, cachedInput: 0.2, output: 12 },
    "gemini-flash-latest": { input: 0.3, cachedInput: 0.03, output: 2.5 },
    "gemini-flash-lite-latest": { input: 0.1, cachedInput: 0.01, output: 0.4 },
    "gemini-pro-latest": { input: 1.25, cachedInput: 0.125, output: 10 },

    // xAI
    "grok-3": { input: 3, cachedInput: 0.75, output: 15 },
    "grok-3-mini": { input: 0.3, cachedInput: 0.075, output: 0.5 },
    "grok-4": { input: 3, cachedInput: 0.75, output: 15 },
    "grok-4-fast": { input: 0.2, cachedInput: 0.05, output: 0.5 },
    "grok-4-1-fast": { input: 0.2, cachedInput: 0.05, output: 0.5 },
    "grok-4.20": { input: 1.25, cachedInput: 0.2, output: 2.5 },
    "grok-4.3": { input: 1.25, cachedInput: 0.2, output: 2.5 },
    "grok-code-fast-1": { input: 0.2, cachedInput: 0.02, output: 1.5 },

    // DeepSeek (cache hit = cachedInput, cache miss = input)
    "deepseek-chat": { input: 0.28, cachedInput: 0.028, output: 0.42 },
    "deepseek-reasoner": { input: 0.28, cachedInput: 0.028, output: 0.42 },
    "deepseek-v4-flash": { input: 0.14, cachedInput: 0.0028, output: 0.28 },
    "deepseek-v4-pro": { input: 0.435, cachedInput: 0.0036, output: 0.87 },

    // OpenRouter ids priced on their own (OpenRouter passes the provider's price through)
    "google/gemini-3-flash-preview": { input: 0.5, cachedInput: 0.05, output: 3 },
  },
};
