import { anthropic, gemini, openai, type AiAdapter } from "@inngest/ai";
import type { ProviderConfig, WireFormat } from "../config.js";
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from "./bodies.js";

/**
 * The `@inngest/ai` model for `step.ai.infer`. Typed as the base `AiAdapter` on purpose: the
 * body is built per format by `chatBody`, and the output is provider JSON that `parseAnswer`
 * validates with zod rather than trusting the adapter's static type.
 */
const ADAPTERS: {
  [F in WireFormat]: (provider: ProviderConfig, maxTokens: number | undefined) => AiAdapter;
} = {
  "openai-chat": (p) => openai({ model: p.model, apiKey: p.apiKey, baseUrl: p.baseUrl }),
  // The adapter requires `max_tokens` here and assigns it over the body's: pass the same value.
  anthropic: (p, maxTokens) =>
    anthropic({
      model: p.model,
      apiKey: p.apiKey,
      baseUrl: p.baseUrl,
      defaultParameters: { max_tokens: maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS },
    }),
  gemini: (p) => gemini({ model: p.model, apiKey: p.apiKey, baseUrl: p.baseUrl }),
};

export function modelAdapter(provider: ProviderConfig, maxTokens: number | undefined): AiAdapter {
  const adapter = ADAPTERS[provider.format](provider, maxTokens);
  // The SDK copies `headers` into the op; OpenRouter reads `HTTP-Referer` and `X-Title` there.
  if (Object.keys(provider.headers).length === 0) return adapter;
  return { ...adapter, headers: { ...adapter.headers, ...provider.headers } };
}
