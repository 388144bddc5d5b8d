import type { SseEvent } from "../sse.js";
import type { TokenUsage } from "../usage.js";

/** What a stream adds, as it arrives: for a live view (realtime publish, dashboard). */
export type StreamDelta =
  | { type: "text"; text: string }
  | {
      type: "tool_call";
      /** Position of the call among the answer's tool calls (or output items / blocks). */
      index: number;
      id?: string;
      name?: string;
      argumentsDelta?: string;
    }
  | ({ type: "usage" } & Omit<TokenUsage, "model">);

export interface StreamFailure {
  retriable: boolean;
  message: string;
  /** The status an in-stream error stands for (`overloaded_error` → 529); null for a cut. */
  status: number | null;
  /** The provider's error event, parsed, when there was one. */
  data?: unknown;
}

export type AssembledStream = { ok: true; json: unknown } | { ok: false; error: StreamFailure };

/**
 * Turns one provider's SSE events into the response the same call would have returned without
 * streaming (ai-gateway.md §5.7). `push` returns the deltas an event carries; `finish` judges the
 * stream: an error event or a missing terminal marker is a failure.
 */
export interface StreamAssembler {
  push(event: SseEvent): StreamDelta[];
  finish(): AssembledStream;
}
