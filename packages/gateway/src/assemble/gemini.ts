import { field, list, num, rec, records, str, type JsonRecord } from "../json.js";
import type { SseEvent } from "../sse.js";
import { BaseAssembler, failureFromErrorBody, usageDelta } from "./common.js";
import type { AssembledStream, StreamDelta } from "./types.js";

interface CandidateState {
  index: number;
  role: string | undefined;
  parts: JsonRecord[];
  /** Other candidate fields (`finishReason`, `safetyRatings`, …): the latest value wins. */
  extra: JsonRecord;
}

/** Keys a text part may have and still be merged with its neighbour. */
const TEXT_PART_KEYS = new Set(["text", "thought", "thoughtSignature"]);

function isPlainText(part: JsonRecord): boolean {
  return typeof part.text === "string" && Object.keys(part).every((k) => TEXT_PART_KEYS.has(k));
}

/** Consecutive text parts of the same kind (answer or thought) are one part unstreamed. */
function mergeable(last: JsonRecord, next: JsonRecord): boolean {
  return (
    isPlainText(last) &&
    isPlainText(next) &&
    (last.thought === true) === (next.thought === true) &&
    !(last.thoughtSignature !== undefined && next.thoughtSignature !== undefined)
  );
}

/**
 * Gemini `streamGenerateContent?alt=sse` chunks (ai-gateway.md §3.7) → one
 * `GenerateContentResponse`: candidate parts merged (text concatenated), the last `finishReason`,
 * the last `usageMetadata`. There is no `[DONE]`: the stream is complete once a candidate has a
 * `finishReason` (or the prompt was blocked, `promptFeedback.blockReason`). A chunk with `error`
 * fails the stream.
 */
export class GeminiAssembler extends BaseAssembler {
  protected readonly marker = "a candidate finishReason";
  private readonly top: JsonRecord = {};
  private readonly candidates = new Map<number, CandidateState>();
  private toolCalls = 0;

  constructor(private readonly format: string) {
    super();
  }

  protected handle(event: SseEvent): StreamDelta[] {
    const chunk = this.parseObject(event);
    if (!chunk) return [];
    if (chunk.error !== undefined && chunk.error !== null) {
      return this.fail(failureFromErrorBody(chunk));
    }
    const deltas: StreamDelta[] = [];
    for (const [position, candidate] of records(list(chunk, "candidates")).entries()) {
      deltas.push(...this.candidate(num(candidate, "index") ?? position, candidate));
    }
    for (const [key, value] of Object.entries(chunk)) {
      if (key !== "candidates" && value !== undefined) this.top[key] = value;
    }
    if (str(rec(chunk, "promptFeedback"), "blockReason") !== undefined) this.terminate();
    if (chunk.usageMetadata !== undefined) deltas.push(usageDelta(this.format, chunk));
    return deltas;
  }

  private candidate(index: number, candidate: JsonRecord): StreamDelta[] {
    let state = this.candidates.get(index);
    if (!state) {
      state = { index, role: undefined, parts: [], extra: {} };
      this.candidates.set(index, state);
    }
    const content = rec(candidate, "content");
    state.role = str(content, "role") ?? state.role;
    const deltas: StreamDelta[] = [];
    for (const part of records(list(content, "parts"))) deltas.push(...this.part(state, part));
    for (const [key, value] of Object.entries(candidate)) {
      if (key !== "content" && key !== "index" && value !== undefined) state.extra[key] = value;
    }
    if (typeof candidate.finishReason === "string") this.terminate();
    return deltas;
  }

  private part(state: CandidateState, part: JsonRecord): StreamDelta[] {
    const deltas: StreamDelta[] = [];
    const text = str(part, "text");
    if (text !== undefined && text !== "" && part.thought !== true) {
      deltas.push({ type: "text", text });
    }
    const call = rec(part, "functionCall");
    const name = str(call, "name");
    if (call) {
      const delta: Extract<StreamDelta, { type: "tool_call" }> = {
        type: "tool_call",
        index: this.toolCalls++,
        argumentsDelta: JSON.stringify(field(call, "args") ?? {}),
      };
      const id = str(call, "id");
      if (id !== undefined) delta.id = id;
      if (name !== undefined) delta.name = name;
      deltas.push(delta);
    }
    const last = state.parts.at(-1);
    if (last && mergeable(last, part)) {
      last.text = `${str(last, "text") ?? ""}${text ?? ""}`;
      if (part.thoughtSignature !== undefined) last.thoughtSignature = part.thoughtSignature;
    } else {
      state.parts.push({ ...part });
    }
    return deltas;
  }

  protected build(): AssembledStream {
    const candidates = [...this.candidates.values()]
      .sort((a, b) => a.index - b.index)
      .map((state) => ({
        content: { parts: state.parts, role: state.role ?? "model" },
        index: state.index,
        ...state.extra,
      }));
    const json: JsonRecord = candidates.length > 0 ? { candidates } : {};
    return { ok: true, json: { ...json, ...this.top } };
  }
}
