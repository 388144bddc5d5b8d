import { isRecord, list, num, rec, records, str, type JsonRecord } from "../json.js";
import type { SseEvent } from "../sse.js";
import { BaseAssembler, failureFromErrorBody, mergeField, usageDelta } from "./common.js";
import type { AssembledStream, StreamDelta } from "./types.js";

interface ToolCallState {
  id?: string;
  type?: string;
  name: string;
  arguments: string;
}

interface ChoiceState {
  index: number;
  role?: string;
  content: string;
  sawContent: boolean;
  refusal: string | null;
  toolCalls: Map<number, ToolCallState>;
  finishReason: unknown;
  logprobs: JsonRecord | null;
  /** Other message fields streamed in deltas (`reasoning_content`, `annotations`, …). */
  extra: JsonRecord;
}

/** Chunk fields that are not copied to the assembled completion as they are. */
const CHUNK_ONLY = new Set(["choices", "usage", "object", "error"]);

/**
 * OpenAI Chat Completions chunks (also Azure, xAI, DeepSeek, OpenRouter, Ollama) → a
 * `chat.completion` (ai-gateway.md §3.1): content deltas concatenated, tool-call fragments merged
 * by `index` into full JSON-string `arguments`, the finish chunk's `finish_reason`, the usage
 * chunk's `usage`. Terminal marker: `data: [DONE]`. A chunk with `error` fails the stream.
 */
export class OpenAiChatAssembler extends BaseAssembler {
  protected readonly marker = "data: [DONE]";
  private readonly top: JsonRecord = {};
  private usage: JsonRecord | undefined;
  private readonly choices = new Map<number, ChoiceState>();

  constructor(private readonly format: string) {
    super();
  }

  protected handle(event: SseEvent): StreamDelta[] {
    if (event.data.trim() === "[DONE]") {
      this.terminate();
      return [];
    }
    const chunk = this.parseObject(event);
    if (!chunk) return [];
    if (chunk.error !== undefined && chunk.error !== null) {
      return this.fail(failureFromErrorBody(chunk));
    }
    for (const [key, value] of Object.entries(chunk)) {
      if (CHUNK_ONLY.has(key) || value === null || value === undefined) continue;
      if (this.top[key] === undefined) this.top[key] = value;
    }
    const deltas: StreamDelta[] = [];
    if (isRecord(chunk.usage)) {
      this.usage = chunk.usage;
      deltas.push(usageDelta(this.format, { usage: chunk.usage }));
    }
    for (const choice of records(list(chunk, "choices"))) deltas.push(...this.choice(choice));
    return deltas;
  }

  private stateOf(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = {
        index,
        content: "",
        sawContent: false,
        refusal: null,
        toolCalls: new Map(),
        finishReason: null,
        logprobs: null,
        extra: {},
      };
      this.choices.set(index, state);
    }
    return state;
  }

  private choice(choice: JsonRecord): StreamDelta[] {
    const state = this.stateOf(num(choice, "index") ?? 0);
    const deltas: StreamDelta[] = [];
    for (const [key, value] of Object.entries(rec(choice, "delta") ?? {})) {
      if (key === "role" && typeof value === "string") state.role = value;
      else if (key === "content" && typeof value === "string") {
        state.sawContent = true;
        state.content += value;
        if (value !== "") deltas.push({ type: "text", text: value });
      } else if (key === "refusal" && typeof value === "string") {
        state.refusal = (state.refusal ?? "") + value;
      } else if (key === "tool_calls" && Array.isArray(value)) {
        for (const call of records(value)) deltas.push(this.toolCall(state, call));
      } else if (key !== "content" && key !== "refusal") {
        mergeField(state.extra, key, value);
      }
    }
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      state.finishReason = choice.finish_reason;
    }
    const logprobs = rec(choice, "logprobs");
    if (logprobs) {
      state.logprobs ??= {};
      for (const [key, value] of Object.entries(logprobs)) mergeField(state.logprobs, key, value);
    }
    return deltas;
  }

  private toolCall(state: ChoiceState, call: JsonRecord): StreamDelta {
    const index = num(call, "index") ?? state.toolCalls.size;
    let current = state.toolCalls.get(index);
    if (!current) {
      current = { name: "", arguments: "" };
      state.toolCalls.set(index, current);
    }
    const delta: Extract<StreamDelta, { type: "tool_call" }> = { type: "tool_call", index };
    const id = str(call, "id");
    if (id !== undefined && current.id === undefined) current.id = delta.id = id;
    const type = str(call, "type");
    if (type !== undefined) current.type = type;
    const fn = rec(call, "function");
    const name = str(fn, "name");
    // Only the first fragment names the function; some servers repeat the full name.
    if (name !== undefined && name !== "" && name !== current.name) {
      current.name += name;
      delta.name = current.name;
    }
    const args = str(fn, "arguments");
    if (args !== undefined && args !== "") {
      current.arguments += args;
      delta.argumentsDelta = args;
    }
    return delta;
  }

  protected build(): AssembledStream {
    const choices = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((state) => buildChoice(state));
    const { id, created, model, ...rest } = this.top;
    const json: JsonRecord = {};
    if (id !== undefined) json.id = id;
    json.object = "chat.completion";
    if (created !== undefined) json.created = created;
    if (model !== undefined) json.model = model;
    json.choices = choices;
    if (this.usage !== undefined) json.usage = this.usage;
    return { ok: true, json: { ...json, ...rest } };
  }
}

function buildChoice(state: ChoiceState): JsonRecord {
  const toolCalls = [...state.toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, call]) => ({
      ...(call.id === undefined ? {} : { id: call.id }),
      type: call.type ?? "function",
      function: { name: call.name, arguments: call.arguments },
    }));
  // A tool-call answer has `content: null`, although its first chunk streams `content: ""`.
  const content =
    state.content !== "" ? state.content : toolCalls.length > 0 || !state.sawContent ? null : "";
  const message: JsonRecord = {
    role: state.role ?? "assistant",
    content,
    refusal: state.refusal,
    annotations: [],
    ...state.extra,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    index: state.index,
    message,
    logprobs: state.logprobs,
    finish_reason: state.finishReason,
  };
}
