import {
  invalid,
  type CallContext,
  type EndpointImpl,
  type ErrorSpec,
  type ParseResult,
} from "../context.js";
import { DEFAULT_DIMENSIONS, embed } from "../embeddings.js";
import { isObject, objects, str, type JsonObject } from "../json.js";
import { field, fieldArr, fieldObj } from "./gemini-profile.js";

/** Gemini embedContent / batchEmbedContents (spec §3.3) and the model list. */
interface EmbedItem {
  text: string;
  dimensions: number;
}

export interface GeminiEmbed {
  model: string;
  userText: string;
  stream: false;
  items: EmbedItem[];
}

function item(request: JsonObject): EmbedItem | undefined {
  const content = fieldObj(request, "content");
  if (!content) return undefined;
  const text = objects(fieldArr(content, "parts"))
    .map((p) => str(p, "text") ?? "")
    .join(" ");
  const dims = field(request, "outputDimensionality");
  return {
    text,
    dimensions: typeof dims === "number" && dims > 0 ? Math.floor(dims) : DEFAULT_DIMENSIONS,
  };
}

function bad(message: string): { ok: false; error: ErrorSpec } {
  return invalid({ status: 400, message });
}

function parseSingle(json: unknown, ctx: CallContext): ParseResult<GeminiEmbed> {
  if (!isObject(json)) return bad("Invalid JSON payload received. Expected an object.");
  const one = item(json);
  if (!one) return bad("* EmbedContentRequest.content: content is not specified");
  return {
    ok: true,
    value: { model: ctx.pathModel ?? "", userText: "", stream: false, items: [one] },
  };
}

function parseBatch(json: unknown, ctx: CallContext): ParseResult<GeminiEmbed> {
  if (!isObject(json)) return bad("Invalid JSON payload received. Expected an object.");
  const requests = objects(fieldArr(json, "requests"));
  if (requests.length === 0) {
    return bad("* BatchEmbedContentsRequest.requests: at least one request is required");
  }
  const items: EmbedItem[] = [];
  for (const [i, r] of requests.entries()) {
    const one = item(r);
    if (!one)
      return bad(`* BatchEmbedContentsRequest.requests[${i}].content: content is not specified`);
    items.push(one);
  }
  return { ok: true, value: { model: ctx.pathModel ?? "", userText: "", stream: false, items } };
}

export const geminiEmbedContent: EndpointImpl<GeminiEmbed> = {
  parse: parseSingle,
  render: ({ parsed }) => {
    const first = parsed.items[0] ?? { text: "", dimensions: DEFAULT_DIMENSIONS };
    return { kind: "json", body: { embedding: { values: embed(first.text, first.dimensions) } } };
  },
};

export const geminiBatchEmbed: EndpointImpl<GeminiEmbed> = {
  parse: parseBatch,
  render: ({ parsed }) => ({
    kind: "json",
    body: { embeddings: parsed.items.map((i) => ({ values: embed(i.text, i.dimensions) })) },
  }),
};

export const GEMINI_MODELS = ["echo", "gemini-2.5-flash", "text-embedding-004"] as const;

export const geminiModels: EndpointImpl<{ model: string; userText: string; stream: false }> = {
  parse: () => ({ ok: true, value: { model: "", userText: "", stream: false } }),
  render: ({ ctx }) => ({
    kind: "json",
    body: {
      models: (ctx.models ?? GEMINI_MODELS).map((id) => ({
        name: `models/${id}`,
        version: "001",
        displayName: id,
        inputTokenLimit: 1_048_576,
        outputTokenLimit: 65_536,
        supportedGenerationMethods: id.includes("embedding")
          ? ["embedContent", "batchEmbedContents"]
          : ["generateContent", "countTokens"],
      })),
    },
  }),
};
