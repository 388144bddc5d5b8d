import type {
  CallContext,
  EndpointImpl,
  ErrorSpec,
  Parsed,
  ParseResult,
  Rendered,
} from "../context.js";
import type { ResolvedBehaviour } from "../script.js";
import type { StreamChunk } from "../sse.js";
import { Dialect, type Endpoint } from "../types.js";
import { anthropicMessages, anthropicModels } from "./anthropic.js";
import { geminiGenerate } from "./gemini.js";
import { geminiBatchEmbed, geminiEmbedContent, geminiModels } from "./gemini-embed.js";
import { openaiChat } from "./openai-chat.js";
import { openaiEmbeddings, openaiModels } from "./openai-embeddings.js";
import { openaiResponses } from "./openai-responses.js";

export { profileFor } from "./profiles.js";

/** A parsed request bound to its endpoint, with the endpoint's own payload type hidden. */
export interface BoundCall {
  parsed: Parsed;
  render(resolved: ResolvedBehaviour): Rendered;
  streamError: ((spec: ErrorSpec, headLength: number) => StreamChunk[]) | undefined;
}

export type Handler = (json: unknown, ctx: CallContext) => ParseResult<BoundCall>;

function bind<P extends Parsed>(impl: EndpointImpl<P>): Handler {
  return (json, ctx) => {
    const result = impl.parse(json, ctx);
    if (!result.ok) return result;
    const parsed = result.value;
    const { streamError } = impl;
    return {
      ok: true,
      value: {
        parsed,
        render: (resolved) => impl.render({ parsed, resolved, ctx }),
        streamError: streamError && ((spec, headLength) => streamError(spec, ctx, headLength)),
      },
    };
  };
}

type Family = "openai" | "anthropic" | "gemini";

const HANDLERS: { [F in Family]: Partial<Record<Endpoint, Handler>> } = {
  openai: {
    chat: bind(openaiChat),
    responses: bind(openaiResponses),
    embeddings: bind(openaiEmbeddings),
    models: bind(openaiModels),
  },
  anthropic: { messages: bind(anthropicMessages), models: bind(anthropicModels) },
  gemini: {
    generateContent: bind(geminiGenerate),
    streamGenerateContent: bind(geminiGenerate),
    embedContent: bind(geminiEmbedContent),
    batchEmbedContents: bind(geminiBatchEmbed),
    models: bind(geminiModels),
  },
};

function family(dialect: Dialect): Family {
  if (dialect === Dialect.anthropic) return "anthropic";
  if (dialect === Dialect.gemini) return "gemini";
  return "openai";
}

export function handlerFor(dialect: Dialect, endpoint: Endpoint): Handler | undefined {
  return HANDLERS[family(dialect)][endpoint];
}
