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
import { sseEvent, SSE_CONTENT_TYPE, type StreamChunk } from "../sse.js";
import { countAll, splitJson, splitText } from "../tokens.js";
import { anthropicProfile, isBearerVersion } from "./anthropic-profile.js";
import { headerKey } from "./auth.js";

/** Anthropic Messages (spec §3.6). */
function bad(message: string): { ok: false; error: ErrorSpec } {
  return invalid({ status: 400, message });
}

function parse(json: unknown, ctx: CallContext): ParseResult<ChatRequest> {
  if (!isObject(json)) return bad("Input should be a valid dictionary or object");
  const model = str(json, "model");
  if (!model) return bad("model: Field required");
  const maxTokens = num(json, "max_tokens");
  if (maxTokens === undefined) return bad("max_tokens: Field required");
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    return bad("max_tokens: Input should be greater than or equal to 1");
  }
  const messages = arr(json, "messages");
  if (!messages) return bad("messages: Field required");
  if (messages.length === 0) return bad("messages: at least one message is required");
  const newApi = isBearerVersion(headerKey(ctx.headers, "anthropic-version"));
  const roles = newApi ? ["user", "assistant", "system"] : ["user", "assistant"];
  const badRole = messages.findIndex((m) => !isObject(m) || !roles.includes(String(m["role"])));
  if (badRole >= 0) {
    return bad(
      `messages.${badRole}.role: Input should be ${roles.map((r) => `'${r}'`).join(" or ")}`,
    );
  }
  const sampling = samplingError(json, newApi);
  if (sampling) return bad(sampling);
  const msgs = objects(messages);
  const tools = objects(arr(json, "tools")).flatMap((t) => {
    const name = str(t, "name");
    return name ? [{ name, parameters: t["input_schema"] }] : [];
  });
  return {
    ok: true,
    value: {
      model,
      stream: bool(json, "stream") === true,
      ...turns(msgs),
      tools,
      toolChoice: parseToolChoice(obj(json, "tool_choice")),
      promptTokens: countAll([
        contentText(json["system"]),
        ...msgs.map((m) => contentText(m["content"])),
      ]),
      maxTokens,
    },
  };
}

/** 2026-10-21 removed the sampling knobs; before it, temperature is bounded to [0, 1]. */
function samplingError(json: JsonObject, newApi: boolean): string | undefined {
  if (newApi) {
    const extra = ["temperature", "top_p", "top_k"].find((k) => k in json);
    return extra ? `${extra}: Extra inputs are not permitted` : undefined;
  }
  const t = num(json, "temperature");
  if (t !== undefined && (t < 0 || t > 1)) {
    return `temperature: Input should be ${t < 0 ? "greater than or equal to 0" : "less than or equal to 1"}`;
  }
  return undefined;
}

function blocks(content: unknown): JsonObject[] {
  return typeof content === "string"
    ? [{ type: "text", text: content }]
    : objects(Array.isArray(content) ? content : []);
}

function turns(msgs: readonly JsonObject[]): { userText: string; toolResults: ToolResult[] } {
  const hasText = (m: JsonObject): boolean =>
    blocks(m["content"]).some((b) => b["type"] === "text");
  const lastUser = msgs.findLastIndex((m) => m["role"] === "user" && hasText(m));
  const names = new Map<string, string>();
  for (const m of msgs) {
    for (const b of blocks(m["content"])) {
      const id = str(b, "id");
      const name = str(b, "name");
      if (b["type"] === "tool_use" && id && name) names.set(id, name);
    }
  }
  // Results sent in the same message as the latest text still answer the pending call.
  const toolResults = msgs
    .slice(Math.max(lastUser, 0))
    .flatMap((m) => blocks(m["content"]).filter((b) => b["type"] === "tool_result"))
    .map((b) => ({
      name: names.get(str(b, "tool_use_id") ?? ""),
      content: contentText(b["content"]),
    }));
  const user = msgs[lastUser];
  const userText = user
    ? blocks(user["content"])
        .filter((b) => b["type"] === "text")
        .map((b) => str(b, "text") ?? "")
        .join("\n")
    : "";
  return { userText, toolResults };
}

function parseToolChoice(choice: JsonObject | undefined): ToolChoice {
  const type = choice && str(choice, "type");
  if (type === "none") return { kind: "none" };
  if (type === "any") return { kind: "any" };
  const name = choice && str(choice, "name");
  return type === "tool" && name ? { kind: "named", name } : { kind: "auto" };
}

function stopReason(reply: Reply): string {
  if (reply.kind === "tool") return "tool_use";
  return reply.truncated ? "max_tokens" : "end_turn";
}

function usage(input: RenderInput<ChatRequest>, outputTokens: number): JsonObject {
  const { parsed, resolved } = input;
  const cached = Math.min(resolved.behaviour.cachedTokens ?? 0, parsed.promptTokens);
  // Anthropic's input_tokens counts only the uncached part of the prompt.
  return {
    input_tokens: parsed.promptTokens - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: outputTokens,
    service_tier: "standard",
  };
}

function toolUseId(ctx: CallContext): string {
  return `toolu_sim_${pad(ctx.seq)}_0`;
}

function contentBlock(reply: Reply, ctx: CallContext): JsonObject {
  if (reply.kind === "text") return { type: "text", text: reply.text };
  return { type: "tool_use", id: toolUseId(ctx), name: reply.name, input: reply.args };
}

function message(input: RenderInput<ChatRequest>, reply: Reply): JsonObject {
  return {
    id: `msg_sim_${pad(input.ctx.seq)}`,
    type: "message",
    role: "assistant",
    model: input.parsed.model,
    content: [contentBlock(reply, input.ctx)],
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: usage(input, reply.outputTokens),
  };
}

function events(input: RenderInput<ChatRequest>, reply: Reply): JsonObject[] {
  const start = {
    ...message(input, reply),
    content: [],
    stop_reason: null,
    usage: usage(input, 1),
  };
  const emptyBlock =
    reply.kind === "text"
      ? { type: "text", text: "" }
      : { type: "tool_use", id: toolUseId(input.ctx), name: reply.name, input: {} };
  const deltas =
    reply.kind === "text"
      ? splitText(reply.text).map((text) => ({ type: "text_delta", text }))
      : ["", ...splitJson(JSON.stringify(reply.args))].map((partial_json) => ({
          type: "input_json_delta",
          partial_json,
        }));
  const { service_tier: _tier, ...finalUsage } = usage(input, reply.outputTokens);
  return [
    { type: "message_start", message: start },
    { type: "content_block_start", index: 0, content_block: emptyBlock },
    { type: "ping" },
    ...deltas.map((delta) => ({ type: "content_block_delta", index: 0, delta })),
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: stopReason(reply), stop_sequence: null },
      usage: finalUsage,
    },
    { type: "message_stop" },
  ];
}

function toChunks(list: readonly JsonObject[]): StreamChunk[] {
  return list.map((e) => sseEvent(e, typeof e["type"] === "string" ? e["type"] : "message"));
}

export const anthropicMessages: EndpointImpl<ChatRequest> = {
  parse,
  render(input) {
    const reply = planReply(input.parsed, input.resolved);
    if (!input.parsed.stream) return { kind: "json", body: message(input, reply) };
    // message_start, content_block_start, ping, first delta.
    return {
      kind: "stream",
      plan: {
        contentType: SSE_CONTENT_TYPE,
        chunks: toChunks(events(input, reply)),
        headLength: 4,
      },
    };
  },
  streamError: (spec, ctx) => [sseEvent(anthropicProfile.errorBody(spec, ctx), "error")],
};

export const ANTHROPIC_MODELS = ["echo", "claude-sim"] as const;

export const anthropicModels: EndpointImpl<{ model: string; userText: string; stream: false }> = {
  parse: () => ({ ok: true, value: { model: "", userText: "", stream: false } }),
  render({ ctx }) {
    const createdAt = new Date(ctx.now).toISOString();
    const data = (ctx.models ?? ANTHROPIC_MODELS).map((id) => ({
      type: "model",
      id,
      display_name: id,
      created_at: createdAt,
    }));
    const body = {
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    };
    return { kind: "json", body };
  },
};
