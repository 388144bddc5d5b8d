import {
  invalid,
  pad,
  type CallContext,
  type EndpointImpl,
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
import { arr, bool, contentText, isObject, num, objects, str, type JsonObject } from "../json.js";
import { sseEvent, SSE_CONTENT_TYPE, type StreamChunk } from "../sse.js";
import { countAll, splitJson, splitText } from "../tokens.js";

/** OpenAI Responses API (spec §3.2). */
export interface OpenAiResponses extends ChatRequest {
  instructions: string | undefined;
  rawTools: unknown[];
  rawToolChoice: unknown;
}

function parse(json: unknown): ParseResult<OpenAiResponses> {
  if (!isObject(json)) return invalid({ status: 400, message: "The body must be a JSON object." });
  const model = str(json, "model");
  if (!model) {
    return invalid({
      status: 400,
      message: "Missing required parameter: 'model'.",
      param: "model",
      code: "missing_required_parameter",
    });
  }
  const input = json["input"];
  if (typeof input !== "string" && !Array.isArray(input)) {
    return invalid({
      status: 400,
      message: "Missing required parameter: 'input'.",
      param: "input",
      code: "missing_required_parameter",
    });
  }
  const items = typeof input === "string" ? [{ role: "user", content: input }] : objects(input);
  const instructions = str(json, "instructions");
  const rawTools = arr(json, "tools") ?? [];
  const tools = objects(rawTools).flatMap((t) => {
    const name = str(t, "name");
    return t["type"] === "function" && name ? [{ name, parameters: t["parameters"] }] : [];
  });
  const texts = items.map((i) => contentText(i["content"] ?? i["output"] ?? ""));
  return {
    ok: true,
    value: {
      model,
      stream: bool(json, "stream") === true,
      ...turns(items),
      tools,
      toolChoice: parseToolChoice(json["tool_choice"]),
      promptTokens: countAll([instructions ?? "", ...texts]),
      maxTokens: num(json, "max_output_tokens"),
      instructions,
      rawTools,
      rawToolChoice: json["tool_choice"] ?? "auto",
    },
  };
}

function turns(items: readonly JsonObject[]): { userText: string; toolResults: ToolResult[] } {
  const lastUser = items.findLastIndex((i) => i["role"] === "user");
  const names = new Map<string, string>();
  for (const item of items) {
    const callId = str(item, "call_id");
    const name = str(item, "name");
    if (item["type"] === "function_call" && callId && name) names.set(callId, name);
  }
  const toolResults = items
    .slice(lastUser + 1)
    .filter((i) => i["type"] === "function_call_output")
    .map((i) => ({ name: names.get(str(i, "call_id") ?? ""), content: contentText(i["output"]) }));
  const user = items[lastUser];
  return { userText: user ? contentText(user["content"]) : "", toolResults };
}

function parseToolChoice(choice: unknown): ToolChoice {
  if (choice === "none") return { kind: "none" };
  if (choice === "required") return { kind: "any" };
  const name = isObject(choice) && choice["type"] === "function" ? str(choice, "name") : undefined;
  return name ? { kind: "named", name } : { kind: "auto" };
}

interface Ids {
  response: string;
  message: string;
  functionCall: string;
  callId: string;
}

function ids(ctx: CallContext): Ids {
  const seq = pad(ctx.seq);
  return {
    response: `resp_sim_${seq}`,
    message: `msg_sim_${seq}`,
    functionCall: `fc_sim_${seq}`,
    callId: `call_sim_${seq}_0`,
  };
}

function outputItem(reply: Reply, id: Ids, done: boolean): JsonObject {
  if (reply.kind === "tool") {
    return {
      type: "function_call",
      id: id.functionCall,
      call_id: id.callId,
      name: reply.name,
      arguments: done ? JSON.stringify(reply.args) : "",
      status: done ? "completed" : "in_progress",
    };
  }
  const status = !done ? "in_progress" : reply.truncated ? "incomplete" : "completed";
  const content = done ? [textPart(reply.text)] : [];
  return { type: "message", id: id.message, status, role: "assistant", content };
}

function textPart(text: string): JsonObject {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function response(input: RenderInput<OpenAiResponses>, reply: Reply, done: boolean): JsonObject {
  const { parsed: p, resolved, ctx } = input;
  const truncated = reply.kind === "text" && reply.truncated;
  const cached = Math.min(resolved.behaviour.cachedTokens ?? 0, p.promptTokens);
  const status = !done ? "in_progress" : truncated ? "incomplete" : "completed";
  return {
    id: ids(ctx).response,
    object: "response",
    created_at: Math.floor(ctx.now / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: done && truncated ? { reason: "max_output_tokens" } : null,
    instructions: p.instructions ?? null,
    max_output_tokens: p.maxTokens ?? null,
    model: p.model,
    output: done ? [outputItem(reply, ids(ctx), true)] : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: true,
    temperature: 1,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: p.rawToolChoice,
    tools: p.rawTools,
    top_p: 1,
    truncation: "disabled",
    usage: !done
      ? null
      : {
          input_tokens: p.promptTokens,
          input_tokens_details: { cached_tokens: cached },
          output_tokens: reply.outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: p.promptTokens + reply.outputTokens,
        },
    user: null,
    metadata: {},
  };
}

/** The body events between `output_item.added` and `output_item.done`. */
function itemEvents(reply: Reply, id: Ids): JsonObject[] {
  if (reply.kind === "tool") {
    const args = JSON.stringify(reply.args);
    const at = { item_id: id.functionCall, output_index: 0 };
    return [
      ...splitJson(args).map((delta) => ({
        type: "response.function_call_arguments.delta",
        ...at,
        delta,
      })),
      { type: "response.function_call_arguments.done", ...at, name: reply.name, arguments: args },
    ];
  }
  const at = { item_id: id.message, output_index: 0, content_index: 0 };
  return [
    { type: "response.content_part.added", ...at, part: textPart("") },
    ...splitText(reply.text).map((delta) => ({
      type: "response.output_text.delta",
      ...at,
      delta,
      logprobs: [],
    })),
    { type: "response.output_text.done", ...at, text: reply.text, logprobs: [] },
    { type: "response.content_part.done", ...at, part: textPart(reply.text) },
  ];
}

function events(input: RenderInput<OpenAiResponses>, reply: Reply): JsonObject[] {
  const id = ids(input.ctx);
  const final = response(input, reply, true);
  const started = response(input, reply, false);
  return [
    { type: "response.created", response: started },
    { type: "response.in_progress", response: started },
    { type: "response.output_item.added", output_index: 0, item: outputItem(reply, id, false) },
    ...itemEvents(reply, id),
    { type: "response.output_item.done", output_index: 0, item: outputItem(reply, id, true) },
    {
      type: final["status"] === "incomplete" ? "response.incomplete" : "response.completed",
      response: final,
    },
  ];
}

function toChunks(list: readonly JsonObject[], first = 0): StreamChunk[] {
  return list.map((e, i) => {
    const type = typeof e["type"] === "string" ? e["type"] : "message";
    return sseEvent({ ...e, sequence_number: first + i }, type);
  });
}

export const openaiResponses: EndpointImpl<OpenAiResponses> = {
  parse,
  render(input) {
    const reply = planReply(input.parsed, input.resolved);
    if (!input.parsed.stream) return { kind: "json", body: response(input, reply, true) };
    // created, in_progress, item added, (part added,) first delta.
    const headLength = reply.kind === "tool" ? 4 : 5;
    const plan = {
      contentType: SSE_CONTENT_TYPE,
      chunks: toChunks(events(input, reply)),
      headLength,
    };
    return { kind: "stream", plan };
  },
  streamError(spec, ctx, headLength) {
    const failed = {
      type: "response.failed",
      response: {
        id: ids(ctx).response,
        object: "response",
        created_at: Math.floor(ctx.now / 1000),
        status: "failed",
        error: {
          code: typeof spec.code === "string" ? spec.code : "server_error",
          message: spec.message ?? "The model failed to generate a response.",
        },
        incomplete_details: null,
        output: [],
        usage: null,
      },
    };
    return toChunks([failed], headLength);
  },
};
