import {
  invalid,
  type CallContext,
  type EndpointImpl,
  type ErrorSpec,
  type ParseResult,
} from "../context.js";
import { DEFAULT_DIMENSIONS, embed, embedTokenIds, toBase64 } from "../embeddings.js";
import { isObject, num, str } from "../json.js";
import { countTokens } from "../tokens.js";

/** OpenAI embeddings (spec §3.3) and the model list, shared by the compatible providers. */
export interface OpenAiEmbeddings {
  model: string;
  userText: string;
  stream: false;
  inputs: (string | number[])[];
  dimensions: number;
  base64: boolean;
}

const BAD_INPUT: ErrorSpec = {
  status: 400,
  message:
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
  param: "input",
};

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((x) => typeof x === "number");
}

function parseInput(input: unknown): (string | number[])[] | undefined {
  if (typeof input === "string") return input.length > 0 ? [input] : undefined;
  if (isNumberArray(input)) return input.length > 0 ? [input] : undefined;
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const out: (string | number[])[] = [];
  for (const item of input) {
    if ((typeof item === "string" && item.length > 0) || isNumberArray(item)) out.push(item);
    else return undefined;
  }
  return out;
}

function parse(json: unknown, ctx: CallContext): ParseResult<OpenAiEmbeddings> {
  if (!isObject(json)) return invalid({ status: 400, message: "The body must be a JSON object." });
  const model = str(json, "model") ?? ctx.pathModel;
  if (!model) return invalid({ status: 400, message: "you must provide a model parameter" });
  if (json["input"] === undefined) {
    return invalid({
      status: 400,
      message: "Missing required parameter: 'input'.",
      param: "input",
      code: "missing_required_parameter",
    });
  }
  const inputs = parseInput(json["input"]);
  if (!inputs) return invalid(BAD_INPUT);
  const dimensions = num(json, "dimensions") ?? DEFAULT_DIMENSIONS;
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    return invalid({
      status: 400,
      message: `Invalid value for 'dimensions' = ${dimensions}. Must be a positive integer.`,
      param: "dimensions",
    });
  }
  const format = json["encoding_format"] ?? "float";
  if (format !== "float" && format !== "base64") {
    return invalid({
      status: 400,
      message: `Invalid value for 'encoding_format': ${JSON.stringify(format)}. Supported values are: 'float' and 'base64'.`,
      param: "encoding_format",
    });
  }
  return {
    ok: true,
    value: { model, userText: "", stream: false, inputs, dimensions, base64: format === "base64" },
  };
}

export const openaiEmbeddings: EndpointImpl<OpenAiEmbeddings> = {
  parse,
  render({ parsed }) {
    const data = parsed.inputs.map((input, index) => {
      const vector =
        typeof input === "string"
          ? embed(input, parsed.dimensions)
          : embedTokenIds(input, parsed.dimensions);
      return { object: "embedding", index, embedding: parsed.base64 ? toBase64(vector) : vector };
    });
    const tokens = parsed.inputs.reduce(
      (sum, input) => sum + (typeof input === "string" ? countTokens(input) : input.length),
      0,
    );
    return {
      kind: "json",
      body: {
        object: "list",
        data,
        model: parsed.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  },
};

export interface ModelList {
  model: string;
  userText: string;
  stream: false;
}

export const DEFAULT_MODELS = ["echo", "gpt-4o-mini", "text-embedding-3-small"] as const;

export const openaiModels: EndpointImpl<ModelList> = {
  parse: () => ({ ok: true, value: { model: "", userText: "", stream: false } }),
  render({ ctx }) {
    const created = Math.floor(ctx.now / 1000);
    const data = (ctx.models ?? DEFAULT_MODELS).map((id) => ({
      id,
      object: "model",
      created,
      owned_by: "ingot-sim",
    }));
    return { kind: "json", body: { object: "list", data } };
  },
};
