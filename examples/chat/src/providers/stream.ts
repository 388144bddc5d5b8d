import { z } from "zod";
import type { WireFormat } from "../config.js";
import { parseJson, type SseEvent } from "../lib/sse.js";
import type { TokenUsage } from "./types.js";

/** What one provider stream event means to the direct path. */
export interface StreamPiece {
  text?: string;
  usage?: Partial<TokenUsage>;
  done?: boolean;
  error?: string;
}

const ErrorBody = z.object({
  error: z.union([z.string(), z.object({ message: z.string().optional() }).loose()]),
});

const OpenAiChunk = z.object({
  choices: z
    .array(
      z.object({ delta: z.object({ content: z.string().nullish() }).loose().optional() }).loose(),
    )
    .optional(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

const AnthropicEvent = z.object({
  type: z.string(),
  delta: z.object({ type: z.string().optional(), text: z.string().optional() }).loose().optional(),
  message: z
    .object({ usage: z.object({ input_tokens: z.number() }).loose().optional() })
    .loose()
    .optional(),
  usage: z.object({ output_tokens: z.number() }).loose().optional(),
  error: z.object({ message: z.string().optional() }).loose().optional(),
});

const GeminiChunk = z.object({
  candidates: z
    .array(
      z
        .object({
          content: z
            .object({
              parts: z.array(z.object({ text: z.string().optional() }).loose()).optional(),
            })
            .loose()
            .optional(),
        })
        .loose(),
    )
    .optional(),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().optional(),
      candidatesTokenCount: z.number().optional(),
    })
    .loose()
    .optional(),
});

function errorOf(json: unknown): string | undefined {
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success) return undefined;
  const error = parsed.data.error;
  return typeof error === "string" ? error : (error.message ?? JSON.stringify(error));
}

const PIECES: { [F in WireFormat]: (event: SseEvent) => StreamPiece } = {
  "openai-chat": (event) => {
    if (event.data.trim() === "[DONE]") return { done: true };
    const json = parseJson(event.data);
    const error = errorOf(json);
    if (error !== undefined) return { error };
    const chunk = OpenAiChunk.safeParse(json);
    if (!chunk.success) return {};
    const text = chunk.data.choices?.[0]?.delta?.content ?? undefined;
    const usage = chunk.data.usage;
    return {
      ...(text ? { text } : {}),
      ...(usage
        ? { usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens } }
        : {}),
    };
  },
  anthropic: (event) => {
    const parsed = AnthropicEvent.safeParse(parseJson(event.data));
    if (!parsed.success) return {};
    const e = parsed.data;
    if (e.type === "error") return { error: e.error?.message ?? "the provider reported an error" };
    if (e.type === "message_stop") return { done: true };
    if (e.type === "content_block_delta" && e.delta?.type === "text_delta" && e.delta.text)
      return { text: e.delta.text };
    if (e.type === "message_start" && e.message?.usage)
      return { usage: { input_tokens: e.message.usage.input_tokens } };
    if (e.type === "message_delta" && e.usage)
      return { usage: { output_tokens: e.usage.output_tokens } };
    return {};
  },
  gemini: (event) => {
    const json = parseJson(event.data);
    const error = errorOf(json);
    if (error !== undefined) return { error };
    const chunk = GeminiChunk.safeParse(json);
    if (!chunk.success) return {};
    const text = (chunk.data.candidates?.[0]?.content?.parts ?? [])
      .map((p) => p.text ?? "")
      .join("");
    const usage = chunk.data.usageMetadata;
    return {
      ...(text ? { text } : {}),
      ...(usage
        ? {
            usage: {
              input_tokens: usage.promptTokenCount ?? 0,
              output_tokens: usage.candidatesTokenCount ?? 0,
            },
          }
        : {}),
    };
  },
};

/** Interprets one SSE event of a provider's streamed chat response. */
export function streamPiece(format: WireFormat, event: SseEvent): StreamPiece {
  return PIECES[format](event);
}
