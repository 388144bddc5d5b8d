import type { ProviderConfig, WireFormat } from "../config.js";
import type { ChatPrompt, ProviderRequest } from "./types.js";

/** Anthropic requires `max_tokens`; this is the answer budget when the client sets none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;

type BodyBuilder = (provider: ProviderConfig, prompt: ChatPrompt) => Record<string, unknown>;

/**
 * The request body of each wire format. `stream` is added by the caller: Ingot's gateway reads
 * `"stream": true` in any format (for Gemini it switches to `:streamGenerateContent`).
 */
const BODIES: { [F in WireFormat]: BodyBuilder } = {
  "openai-chat": (provider, prompt) => ({
    model: provider.model,
    messages: [{ role: "system", content: prompt.system }, ...prompt.turns],
    ...(prompt.temperature === undefined ? {} : { temperature: prompt.temperature }),
    // OpenAI deprecated `max_tokens` (reasoning models reject it); other servers still read it.
    ...(prompt.maxTokens === undefined
      ? {}
      : provider.id === "openai"
        ? { max_completion_tokens: prompt.maxTokens }
        : { max_tokens: prompt.maxTokens }),
  }),
  anthropic: (provider, prompt) => ({
    model: provider.model,
    system: prompt.system,
    messages: prompt.turns,
    max_tokens: prompt.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    ...(prompt.temperature === undefined ? {} : { temperature: prompt.temperature }),
  }),
  gemini: (_provider, prompt) => {
    const generationConfig: Record<string, number> = {};
    if (prompt.temperature !== undefined) generationConfig.temperature = prompt.temperature;
    if (prompt.maxTokens !== undefined) generationConfig.maxOutputTokens = prompt.maxTokens;
    return {
      systemInstruction: { parts: [{ text: prompt.system }] },
      contents: prompt.turns.map((turn) => ({
        role: turn.role === "assistant" ? "model" : "user",
        parts: [{ text: turn.content }],
      })),
      ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
    };
  },
};

export function chatBody(provider: ProviderConfig, prompt: ChatPrompt): Record<string, unknown> {
  return BODIES[provider.format](provider, prompt);
}

/** The streaming request the direct path sends itself (no Ingot in between). */
export function directChatRequest(provider: ProviderConfig, prompt: ChatPrompt): ProviderRequest {
  const body = chatBody(provider, prompt);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "text/event-stream",
    ...provider.headers,
  };
  switch (provider.format) {
    case "openai-chat":
      if (provider.apiKey !== "") headers.authorization = `Bearer ${provider.apiKey}`;
      return {
        url: `${provider.baseUrl}chat/completions`,
        headers,
        body: { ...body, stream: true, stream_options: { include_usage: true } },
      };
    case "anthropic":
      headers["x-api-key"] = provider.apiKey;
      headers["anthropic-version"] = "2023-06-01";
      return { url: `${provider.baseUrl}messages`, headers, body: { ...body, stream: true } };
    case "gemini":
      headers["x-goog-api-key"] = provider.apiKey;
      return {
        url: `${provider.baseUrl}models/${encodeURIComponent(provider.model)}:streamGenerateContent?alt=sse`,
        headers,
        body,
      };
  }
}
