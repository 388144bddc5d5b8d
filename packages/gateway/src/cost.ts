import { PRICE_TABLE, type ModelPrice, type PriceTable } from "./prices.js";
import type { TokenUsage } from "./usage.js";

export interface CostEstimate {
  /** Rounded to 1e-10 USD; `null` when the model is unknown or the usage is missing. */
  usd: number | null;
  /** The table key that priced the call (`gpt-4o-mini` for `gpt-4o-mini-2024-07-18`). */
  priceKey: string | null;
}

/** Characters after which a known id may continue: `-2024-07-18`, `:free`, `@20241022`. */
const BOUNDARIES = new Set(["-", ":", "@"]);

/** Bedrock model ids carry a region and a vendor: `us.anthropic.claude-…-v2:0`. */
const BEDROCK_VENDOR =
  /^(?:[a-z]{2,6}\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|writer)\./u;

function lookupOne(
  id: string,
  models: PriceTable["models"],
): { key: string; price: ModelPrice } | undefined {
  const exact = models[id];
  if (exact) return { key: id, price: exact };
  let best: string | undefined;
  for (const key of Object.keys(models)) {
    if (id.length <= key.length || !id.startsWith(key)) continue;
    if (!BOUNDARIES.has(id.charAt(key.length))) continue;
    if (best === undefined || key.length > best.length) best = key;
  }
  const price = best === undefined ? undefined : models[best];
  return best === undefined || price === undefined ? undefined : { key: best, price };
}

/** The ids to try for one model name, most specific first. */
function candidates(model: string, provider: string): string[] {
  const id = model.trim().toLowerCase();
  const out = [id];
  const slash = id.lastIndexOf("/");
  // OpenRouter `vendor/model`, Gemini `models/…`, Vertex `publishers/google/models/…`.
  if (slash >= 0) out.push(id.slice(slash + 1));
  if (provider === "bedrock") out.push(id.replace(BEDROCK_VENDOR, ""));
  // OpenRouter spells Claude versions with dots (`claude-sonnet-4.5`); Anthropic uses dashes.
  for (const candidate of [...out]) {
    if (candidate.includes("claude") && candidate.includes(".")) {
      out.push(candidate.replaceAll(".", "-"));
    }
  }
  return out;
}

/** The price entry for a model id, by exact id, then the longest known prefix. */
export function findPrice(input: {
  provider: string;
  model: string;
  table?: PriceTable;
}): { key: string; price: ModelPrice } | undefined {
  const models = (input.table ?? PRICE_TABLE).models;
  for (const id of candidates(input.model, input.provider)) {
    const found = lookupOne(id, models);
    if (found) return found;
  }
  return undefined;
}

type BilledUsage = Pick<
  TokenUsage,
  "inputTokens" | "outputTokens" | "cachedInputTokens" | "cacheWriteInputTokens"
> &
  Partial<Pick<TokenUsage, "model">>;

/**
 * Estimated cost of one call. The model the provider reports (`usage.model`) is priced first,
 * then the requested one (an Azure deployment name is rarely a model id). Cached input tokens are
 * billed at the cached price only, cache writes at the cache-write price, the rest of the input at
 * the input price; `outputTokens` already includes reasoning tokens (usage.ts).
 */
export function estimateCostUsd(input: {
  provider: string;
  model: string | null;
  usage: BilledUsage;
  table?: PriceTable;
}): CostEstimate {
  const { usage } = input;
  const models = [usage.model, input.model].filter(
    (m): m is string => typeof m === "string" && m !== "",
  );
  // OpenRouter's `:free` variants cost nothing whatever the base model costs.
  if (models.some((m) => m.toLowerCase().endsWith(":free"))) return { usd: 0, priceKey: ":free" };
  let found: { key: string; price: ModelPrice } | undefined;
  for (const model of models) {
    found = findPrice({ provider: input.provider, model, table: input.table });
    if (found) break;
  }
  if (!found) return { usd: null, priceKey: null };
  if (usage.inputTokens === null && usage.outputTokens === null) {
    return { usd: null, priceKey: found.key };
  }
  const { price } = found;
  const inputTokens = usage.inputTokens ?? 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, inputTokens);
  const written = Math.min(usage.cacheWriteInputTokens ?? 0, inputTokens - cached);
  const uncached = inputTokens - cached - written;
  const perMillion =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    (usage.outputTokens ?? 0) * price.output;
  // perMillion × 1e4 = USD × 1e10: rounding there keeps sums like 0.15 × 600 exact.
  return { usd: Math.round(perMillion * 1e4) / 1e10, priceKey: found.key };
}
