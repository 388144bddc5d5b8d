import { wireFamily, WireFamily } from "../formats.js";
import { AnthropicAssembler } from "./anthropic.js";
import { GeminiAssembler } from "./gemini.js";
import { OpenAiChatAssembler } from "./openai-chat.js";
import { OpenAiResponsesAssembler } from "./openai-responses.js";
import type { StreamAssembler } from "./types.js";

/** Bedrock streams in AWS's binary event-stream framing, not SSE; `streamMode` never picks it. */
class UnsupportedAssembler implements StreamAssembler {
  constructor(private readonly format: string) {}

  push(): [] {
    return [];
  }

  finish(): ReturnType<StreamAssembler["finish"]> {
    return {
      ok: false,
      error: {
        retriable: false,
        status: null,
        message: `streaming is not supported for format "${this.format}"; send the call without stream`,
      },
    };
  }
}

const FACTORIES: { [F in WireFamily]: (format: string) => StreamAssembler } = {
  [WireFamily.openaiChat]: (format) => new OpenAiChatAssembler(format),
  [WireFamily.openaiResponses]: (format) => new OpenAiResponsesAssembler(format),
  [WireFamily.anthropic]: (format) => new AnthropicAssembler(format),
  [WireFamily.gemini]: (format) => new GeminiAssembler(format),
  [WireFamily.bedrock]: (format) => new UnsupportedAssembler(format),
};

/** A fresh assembler for one streamed call in `format`. */
export function createStreamAssembler(format: string): StreamAssembler {
  return FACTORIES[wireFamily(format)](format);
}

export type { AssembledStream, StreamAssembler, StreamDelta, StreamFailure } from "./types.js";
