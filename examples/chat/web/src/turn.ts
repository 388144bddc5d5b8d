import type { Mode, Source, TurnData } from "./api.js";

/** One question and its answer as the UI tracks it (live or loaded from history). */
export interface Turn {
  key: string;
  requestId: string | null;
  mode: Mode;
  query: string;
  status: "sending" | "streaming" | "done" | "error";
  content: string;
  error: string | null;
  sources: Source[];
  runUrl: string | null;
  /** Client-measured for live turns (what the user felt), server-measured for history. */
  firstTokenMs: number | null;
  totalMs: number | null;
  retryNote: string | null;
  /** Agent turns: the tools the agent called, as they happen. */
  toolCalls: ToolCall[];
}

export interface ToolCall {
  id: string;
  name: string;
  args: unknown;
}

export function fromHistory(turn: TurnData): Turn {
  return {
    key: turn.request_id,
    requestId: turn.request_id,
    mode: turn.mode,
    query: turn.query,
    status: turn.status === "pending" ? "streaming" : turn.status,
    content: turn.content ?? "",
    error: turn.error,
    sources: turn.sources,
    runUrl: turn.run_url,
    firstTokenMs: turn.latency_ms.first_token,
    totalMs: turn.latency_ms.total,
    retryNote: null,
    toolCalls: [],
  };
}

export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/**
 * The offline simulator answers an agent's tool result by echoing it
 * (`tool result: search_docs: {"data":"…"}`), token by token. While such an answer streams, show
 * the text inside the echo; the saved answer replaces it when the run ends.
 */
export function shownText(turn: Turn, simulated: boolean): string {
  if (!simulated || turn.mode !== "agent" || turn.status === "done") return turn.content;
  const echo = /^tool result: [\w-]+: \{"data":"/u.exec(turn.content);
  if (!echo) {
    // Still inside the echo's opening words: nothing to show yet.
    const opening = 'tool result: search_docs: {"data":"';
    const start = turn.content.trimEnd();
    return opening.startsWith(start) ? "" : turn.content;
  }
  return turn.content
    .slice(echo[0].length)
    .replace(/"\}$/u, "")
    .replace(/\\(["\\/])/gu, "$1")
    .replace(/\\n/gu, "\n");
}
