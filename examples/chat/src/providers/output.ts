import { z } from "zod";
import type { WireFormat } from "../config.js";
import type { ModelAnswer, TokenUsage } from "./types.js";

/**
 * Parses a provider's (non-streamed) response — the `step.ai.infer` output, which Ingot stores
 * in this shape even when it streamed the call — into the answer text and token usage.
 */
const OpenAiChat = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }).optional(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1, "the response has no choices"),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

const AnthropicMessage = z.object({
  model: z.string().optional(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).optional(),
});

const GeminiResponse = z.object({
  modelVersion: z.string().optional(),
  candidates: z
    .array(
      z.object({
        content: z
          .object({ parts: z.array(z.object({ text: z.string().optional() })).optional() })
          .optional(),
        finishReason: z.string().optional(),
      }),
    )
    .min(1, "the response has no candidates"),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().optional(),
      candidatesTokenCount: z.number().optional(),
    })
    .optional(),
});

type Parsed = {
  text: string;
  usage: TokenUsage | null;
  model: string | null;
  finish: string | null;
};

const PARSERS: { [F in WireFormat]: (json: unknown) => Parsed } = {
  "openai-chat": (json) => {
    const r = OpenAiChat.parse(json);
    const choice = r.choices[0];
    return {
      text: choice?.message?.content ?? "",
      usage: r.usage
        ? { input_tokens: r.usage.prompt_tokens, output_tokens: r.usage.completion_tokens }
        : null,
      model: r.model ?? null,
      finish: choice?.finish_reason ?? null,
    };
  },
  anthropic: (json) => {
    const r = AnthropicMessage.parse(json);
    return {
      text: r.content.map((block) => (block.type === "text" ? (block.text ?? "") : "")).join(""),
      usage: r.usage ?? null,
      model: r.model ?? null,
      finish: r.stop_reason ?? null,
    };
  },
  gemini: (json) => {
    const r = GeminiResponse.parse(json);
    const candidate = r.candidates[0];
    const usage = r.usageMetadata;
    return {
      text: (candidate?.content?.parts ?? []).map((part) => part.text ?? "").join(""),
      usage: usage
        ? {
            input_tokens: usage.promptTokenCount ?? 0,
            output_tokens: usage.candidatesTokenCount ?? 0,
          }
        : null,
      model: r.modelVersion ?? null,
      finish: candidate?.finishReason ?? null,
    };
  },
};

export class ModelOutputError extends Error {
  override name = "ModelOutputError";
}

export function parseAnswer(format: WireFormat, json: unknown): ModelAnswer {
  let parsed: Parsed;
  try {
    parsed = PARSERS[format](json);
  } catch (error) {
    const detail = error instanceof z.ZodError ? (error.issues[0]?.message ?? "") : String(error);
    throw new ModelOutputError(`the model's response is not a ${format} answer: ${detail}`, {
      cause: error,
    });
  }
  if (parsed.text.trim() === "")
    throw new ModelOutputError(
      `the model returned no text${parsed.finish ? ` (finish reason: ${parsed.finish})` : ""}`,
    );
  return { text: parsed.text, usage: parsed.usage, model: parsed.model };
}
