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
  type ToolSpec,
} from "../conversation.js";
import {
  arr,
  bool,
  contentText,
  isObject,
  num,
  obj,
  objects,
  str,
  type JsonObject,
} from "../json.js";
import { sseComment, sseEvent, SSE_CONTENT_TYPE, type StreamChunk } from "../sse.js";
import { countAll, splitJson, splitText } from "../tokens.js";
import { Dialect } from "../types.js";
import { profileFor } from "./profiles.js";

/** OpenAI Chat Completions (spec §3.1), also for Azure, OpenRouter, xAI, DeepSeek, Ollama. */
export interface OpenAiChat extends ChatRequest {
  includeUsage: boolean;
}

function missing(param: string): ErrorSpec {
  return {
    status: 400,
    message: `Missing required parameter: '${param}'.`,
    param,
    code: "missing_required_parameter",
  };
}

function parse(json: unknown, ctx: CallContext): ParseResult<OpenAiChat> {
  if (!isObject(json)) return invalid({ status: 400, message: "The body must be a JSON object." });
  // Azure takes the model from the deployment; the body's `model` is optional there.
  const model = str(json, "model") ?? ctx.pathModel;
  if (!model) return invalid({ status: 400, message: "you must provide a model parameter" });
  const messages = arr(json, "messages");
  if (!messages) return invalid(missing("messages"));
  if (messages.length === 0) {
    return invalid({
      status: 400,
      message:
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: "messages",
      code: "empty_array",
    });
  }
  const roleless = messages.findIndex((m) => !isObject(m) || typeof m["role"] !== "string");
  if (roleless >= 0) return invalid(missing(`messages[${roleless}].role`));
  const temperature = num(json, "temperature");
  if (temperature !== undefined && (temperature < 0 || temperature > 2)) {
    return invalid({
      status: 400,
      message: `Invalid 'temperature': decimal ${temperature < 0 ? "below minimum" : "above maximum"} value. Expected a value ${temperature < 0 ? ">= 0" : "<= 2"}, but got ${temperature} instead.`,
      param: "temperature",
      code: temperature < 0 ? "decimal_below_min_value" : "decimal_above_max_value",
    });
  }
  const msgs = objects(messages);
  const tools = parseTools(json);
  return {
    ok: true,
    value: {
      model,
      stream: bool(json, "stream") === true,
      includeUsage: obj(json, "stream_options")?.["include_usage"] === true,
      ...turns(msgs),
      tools,
      toolChoice: tools.length === 0 ? { kind: "auto" } : parseToolChoice(json["tool_choice"]),
      promptTokens: countAll(msgs.map((m) => contentText(m["content"]))),
      maxTokens: num(json, "max_completion_tokens") ?? num(json, "max_tokens"),
    },
  };
}

/** The last user text, and the tool results that answered the assistant after it. */
function turns(msgs: readonly JsonObject[]): { userText: string; toolResults: ToolResult[] } {
  const lastUser = msgs.findLastIndex((m) => m["role"] === "user");
  const callNames = new Map<string, string>();
  for (const m of msgs) {
    for (const call of objects(arr(m, "tool_calls"))) {
      const id = str(call, "id");
      const name = str(obj(call, "function") ?? {}, "name");
      if (id && name) callNames.set(id, name);
    }
  }
  const toolResults = msgs
    .slice(lastUser + 1)
    .filter((m) => m["role"] === "tool" || m["role"] === "function")
    .map((m) => ({
      name: str(m, "name") ?? callNames.get(str(m, "tool_call_id") ?? ""),
      content: contentText(m["content"]),
    }));
  const user = msgs[lastUser];
  return { userText: user ? contentText(user["content"]) : "", toolResults };
}

function parseTools(json: JsonObject): ToolSpec[] {
  const tools = objects(arr(json, "tools")).flatMap((t) => {
    const fn = obj(t, "function");
    const name = fn && str(fn, "name");
    return fn && name ? [{ name, parameters: fn["parameters"] }] : [];
  });
  const legacy = objects(arr(json, "functions")).flatMap((f) => {
    const name = str(f, "name");
    return name ? [{ name, parameters: f["parameters"] }] : [];
  });
  return [...tools, ...legacy];
}

function parseToolChoice(choice: unknown): ToolChoice {
  if (choice === "none") return { kind: "none" };
  if (choice === "required") return { kind: "any" };
  const name = isObject(choice) ? str(obj(choice, "function") ?? {}, "name") : undefined;
  return name ? { kind: "named", name } : { kind: "auto" };
}

interface Frame {
  id: string;
  created: number;
  callId: string;
}

function frame(ctx: CallContext): Frame {
  const seq = pad(ctx.seq);
  const id = ctx.dialect === Dialect.openrouter ? `gen-sim-${seq}` : `chatcmpl-sim-${seq}`;
  return { id, created: Math.floor(ctx.now / 1000), callId: `call_sim_${seq}_0` };
}

function finishReason(reply: Reply): string {
  if (reply.kind === "tool") return "tool_calls";
  return reply.truncated ? "length" : "stop";
}

function usage(p: OpenAiChat, reply: Reply, cachedTokens: number, ctx: CallContext): JsonObject {
  const cached = Math.min(cachedTokens, p.promptTokens);
  const base: JsonObject = {
    prompt_tokens: p.promptTokens,
    completion_tokens: reply.outputTokens,
    total_tokens: p.promptTokens + reply.outputTokens,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  if (ctx.dialect !== Dialect.deepseek) return base;
  return {
    ...base,
    prompt_cache_hit_tokens: cached,
    prompt_cache_miss_tokens: p.promptTokens - cached,
  };
}

/** Fields some compatible providers add to every completion. */
function extras(ctx: CallContext): JsonObject {
  if (ctx.dialect === Dialect.openrouter) return { provider: "Sim" };
  if (ctx.dialect === Dialect.azure) {
    return { prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] };
  }
  return {};
}

function message(reply: Reply, f: Frame): JsonObject {
  const base = { role: "assistant", refusal: null, annotations: [] };
  if (reply.kind === "text") return { ...base, content: reply.text };
  const call = {
    id: f.callId,
    type: "function",
    function: { name: reply.name, arguments: JSON.stringify(reply.args) },
  };
  return { ...base, content: null, tool_calls: [call] };
}

function completion(input: RenderInput<OpenAiChat>, reply: Reply): JsonObject {
  const { parsed, resolved, ctx } = input;
  const f = frame(ctx);
  return {
    id: f.id,
    object: "chat.completion",
    created: f.created,
    model: parsed.model,
    choices: [
      { index: 0, message: message(reply, f), logprobs: null, finish_reason: finishReason(reply) },
    ],
    usage: usage(parsed, reply, resolved.behaviour.cachedTokens ?? 0, ctx),
    service_tier: "default",
    system_fingerprint: "fp_sim",
    ...extras(ctx),
  };
}

function deltas(reply: Reply, f: Frame): JsonObject[] {
  if (reply.kind === "text") return splitText(reply.text).map((content) => ({ content }));
  const args = JSON.stringify(reply.args);
  const first = {
    tool_calls: [
      { index: 0, id: f.callId, type: "function", function: { name: reply.name, arguments: "" } },
    ],
  };
  const rest = splitJson(args).map((piece) => ({
    tool_calls: [{ index: 0, function: { arguments: piece } }],
  }));
  return [first, ...rest];
}

function stream(input: RenderInput<OpenAiChat>, reply: Reply): StreamChunk[] {
  const { parsed, resolved, ctx } = input;
  const f = frame(ctx);
  const head = {
    id: f.id,
    object: "chat.completion.chunk",
    created: f.created,
    model: parsed.model,
  };
  const chunk = (delta: JsonObject, finish: string | null): StreamChunk =>
    sseEvent({
      ...head,
      // Real chunks carry service_tier too (api.openai.com, 2025+).
      service_tier: "default",
      system_fingerprint: "fp_sim",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(parsed.includeUsage ? { usage: null } : {}),
    });
  const chunks: StreamChunk[] = [];
  // OpenRouter sends comments while it waits for the upstream provider.
  if (ctx.dialect === Dialect.openrouter) chunks.push(sseComment("OPENROUTER PROCESSING"));
  chunks.push(chunk({ role: "assistant", content: "", refusal: null }, null));
  for (const delta of deltas(reply, f)) chunks.push(chunk(delta, null));
  chunks.push(chunk({}, finishReason(reply)));
  if (parsed.includeUsage) {
    const u = usage(parsed, reply, resolved.behaviour.cachedTokens ?? 0, ctx);
    chunks.push(
      sseEvent({
        ...head,
        service_tier: "default",
        system_fingerprint: "fp_sim",
        choices: [],
        usage: u,
      }),
    );
  }
  chunks.push(sseEvent("[DONE]"));
  return chunks;
}

export const openaiChat: EndpointImpl<OpenAiChat> = {
  parse,
  render(input) {
    const reply = planReply(input.parsed, input.resolved);
    if (!input.parsed.stream) return { kind: "json", body: completion(input, reply) };
    const chunks = stream(input, reply);
    const headLength = input.ctx.dialect === Dialect.openrouter ? 3 : 2;
    return { kind: "stream", plan: { contentType: SSE_CONTENT_TYPE, chunks, headLength } };
  },
  streamError(spec, ctx) {
    const body = profileFor(ctx.dialect).errorBody(spec, ctx);
    if (ctx.dialect !== Dialect.openrouter || !isObject(body)) return [sseEvent(body)];
    // OpenRouter reports a failure after generation started as a chunk with `error`.
    const f = frame(ctx);
    return [
      sseEvent({
        id: f.id,
        object: "chat.completion.chunk",
        created: f.created,
        ...body,
        choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
      }),
    ];
  },
};
