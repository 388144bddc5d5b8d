import {
  invalid,
  pad,
  type CallContext,
  type EndpointImpl,
  type ErrorSpec,
  type ParseResult,
  type RenderInput,
} from "../context.js";
import {
  planReply,
  type ChatRequest,
  type Reply,
  type ToolChoice,
  type ToolResult,
} from "../conversation.js";
import { contentText, isObject, objects, str, type JsonObject } from "../json.js";
import { sseEvent, type StreamChunk, type StreamPlan } from "../sse.js";
import { countAll, splitText } from "../tokens.js";
import { Endpoint } from "../types.js";
import { field, fieldArr, fieldObj, geminiErrorBody } from "./gemini-profile.js";

/** Gemini generateContent and streamGenerateContent (spec §3.7). */
export interface GeminiGenerate extends ChatRequest {
  sse: boolean;
}

function bad(message: string): { ok: false; error: ErrorSpec } {
  return invalid({ status: 400, message });
}

function parse(json: unknown, ctx: CallContext): ParseResult<GeminiGenerate> {
  if (!isObject(json)) return bad("Invalid JSON payload received. Expected an object.");
  const contents = fieldArr(json, "contents");
  if (!contents || contents.length === 0) {
    return bad("* GenerateContentRequest.contents: contents is not specified");
  }
  const bodies = objects(contents);
  const badRole = bodies.findIndex((c) => {
    const role = c["role"];
    return role !== undefined && role !== "user" && role !== "model" && role !== "function";
  });
  if (badRole >= 0) {
    return bad(`Please use a valid role: user, model. (contents[${badRole}].role)`);
  }
  const tools = objects(fieldArr(json, "tools")).flatMap((t) =>
    objects(fieldArr(t, "functionDeclarations")).flatMap((d) => {
      const name = str(d, "name");
      return name
        ? [{ name, parameters: field(d, "parameters") ?? field(d, "parametersJsonSchema") }]
        : [];
    }),
  );
  const system = fieldObj(json, "systemInstruction");
  const maxTokens = field(fieldObj(json, "generationConfig"), "maxOutputTokens");
  return {
    ok: true,
    value: {
      // Python adapters also send a body `model`; the path decides.
      model: ctx.pathModel ?? "",
      stream: ctx.endpoint === Endpoint.streamGenerateContent,
      sse: ctx.url.searchParams.get("alt") === "sse",
      ...turns(bodies),
      tools,
      toolChoice: parseToolChoice(fieldObj(json, "toolConfig")),
      promptTokens: countAll([partsText(system), ...bodies.map(partsText)]),
      maxTokens: typeof maxTokens === "number" ? maxTokens : undefined,
    },
  };
}

function parts(content: JsonObject | undefined): JsonObject[] {
  return objects(fieldArr(content, "parts"));
}

function partsText(content: JsonObject | undefined): string {
  return parts(content)
    .map((p) => str(p, "text") ?? "")
    .join("");
}

function resultText(response: unknown): string {
  if (!isObject(response)) return contentText(response);
  return (
    str(response, "content") ??
    str(response, "result") ??
    str(response, "output") ??
    JSON.stringify(response)
  );
}

function turns(contents: readonly JsonObject[]): { userText: string; toolResults: ToolResult[] } {
  const isUser = (c: JsonObject): boolean => c["role"] === undefined || c["role"] === "user";
  const lastUser = contents.findLastIndex(
    (c) => isUser(c) && parts(c).some((p) => typeof p["text"] === "string"),
  );
  const toolResults = contents
    .slice(Math.max(lastUser, 0))
    .flatMap((c) => parts(c).map((p) => fieldObj(p, "functionResponse")))
    .filter(isObject)
    .map((r) => ({ name: str(r, "name"), content: resultText(r["response"]) }));
  return { userText: partsText(contents[lastUser]), toolResults };
}

function parseToolChoice(toolConfig: JsonObject | undefined): ToolChoice {
  const config = fieldObj(toolConfig, "functionCallingConfig");
  const mode = config && str(config, "mode");
  if (mode === "NONE") return { kind: "none" };
  if (mode !== "ANY") return { kind: "auto" };
  const allowed = fieldArr(config, "allowedFunctionNames")?.find((n) => typeof n === "string");
  return typeof allowed === "string" ? { kind: "named", name: allowed } : { kind: "any" };
}

function finishReason(reply: Reply): string {
  // Function calls end with STOP: Gemini has no dedicated tool finish reason.
  return reply.kind === "text" && reply.truncated ? "MAX_TOKENS" : "STOP";
}

function usage(input: RenderInput<GeminiGenerate>, outputTokens: number | undefined): JsonObject {
  const prompt = input.parsed.promptTokens;
  const cached = Math.min(input.resolved.behaviour.cachedTokens ?? 0, prompt);
  return {
    promptTokenCount: prompt,
    ...(outputTokens === undefined ? {} : { candidatesTokenCount: outputTokens }),
    totalTokenCount: prompt + (outputTokens ?? 0),
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
  };
}

function chunk(
  input: RenderInput<GeminiGenerate>,
  part: JsonObject,
  final: Reply | undefined,
): JsonObject {
  const candidate: JsonObject = { content: { parts: [part], role: "model" }, index: 0 };
  if (final) candidate["finishReason"] = finishReason(final);
  return {
    candidates: [candidate],
    usageMetadata: usage(input, final?.outputTokens),
    modelVersion: input.parsed.model,
    responseId: `sim-${pad(input.ctx.seq)}`,
  };
}

function replyPart(reply: Reply): JsonObject {
  if (reply.kind === "text") return { text: reply.text };
  return { functionCall: { name: reply.name, args: reply.args } };
}

function streamPlan(input: RenderInput<GeminiGenerate>, reply: Reply): StreamPlan {
  const bodies =
    reply.kind === "tool"
      ? [chunk(input, replyPart(reply), reply)]
      : splitText(reply.text).map((text, i, all) =>
          chunk(input, { text }, i === all.length - 1 ? reply : undefined),
        );
  if (input.parsed.sse) {
    // Google's front end terminates SSE lines with CRLF; clients must accept it.
    const chunks = bodies.map((b) => sseEvent(b, undefined, "\r\n"));
    return { contentType: "text/event-stream", chunks, headLength: 1 };
  }
  // Without alt=sse the body is one JSON array, written element by element.
  const chunks: StreamChunk[] = bodies.map((b, i) => ({
    text: `${i === 0 ? "[" : ",\r\n"}${JSON.stringify(b)}`,
  }));
  chunks.push({ text: "]" });
  return { contentType: "application/json; charset=UTF-8", chunks, headLength: 1 };
}

export const geminiGenerate: EndpointImpl<GeminiGenerate> = {
  parse,
  render(input) {
    const reply = planReply(input.parsed, input.resolved);
    if (input.parsed.stream) return { kind: "stream", plan: streamPlan(input, reply) };
    return { kind: "json", body: chunk(input, replyPart(reply), reply) };
  },
  streamError: (spec, ctx) =>
    ctx.url.searchParams.get("alt") === "sse"
      ? [sseEvent(geminiErrorBody(spec), undefined, "\r\n")]
      : [{ text: `,\r\n${JSON.stringify(geminiErrorBody(spec))}]` }],
};
