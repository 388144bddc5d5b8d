import type { ServerResponse } from "node:http";

/** One unit written to a streamed body; comments do not count as events for `truncate`. */
export interface StreamChunk {
  text: string;
  comment?: boolean;
}

export interface StreamPlan {
  contentType: string;
  chunks: StreamChunk[];
  /**
   * Chunks up to and including the first delta; a mid-stream error is sent after these, so a
   * consumer has already seen output when the stream fails.
   */
  headLength: number;
}

export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";

/** `event:` (optional) and `data:` lines; Gemini's front end terminates lines with CRLF. */
export function sseEvent(data: unknown, event?: string, eol = "\n"): StreamChunk {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  const head = event === undefined ? "" : `event: ${event}${eol}`;
  return { text: `${head}data: ${payload}${eol}${eol}` };
}

export function sseComment(text: string): StreamChunk {
  return { text: `: ${text}\n\n`, comment: true };
}

/** Replaces everything after the head with `tail` (a mid-stream error). */
export function failAfterHead(plan: StreamPlan, tail: readonly StreamChunk[]): StreamPlan {
  return { ...plan, chunks: [...plan.chunks.slice(0, plan.headLength), ...tail] };
}

export interface WriteStreamOptions {
  status?: number;
  headers: Record<string, string>;
  chunkDelayMs: number;
  /** Stop after this many non-comment chunks, without the rest (no terminal marker). */
  truncate: number | undefined;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Writes the plan chunk by chunk with `chunkDelayMs` between chunks, so a consumer observes
 * deltas arriving over time. Stops quietly when the client has gone away.
 */
export async function writeStream(
  res: ServerResponse,
  plan: StreamPlan,
  options: WriteStreamOptions,
): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(options.status ?? 200, {
    ...options.headers,
    "content-type": plan.contentType,
    "cache-control": "no-cache",
  });
  res.flushHeaders();
  let events = 0;
  for (const [index, chunk] of plan.chunks.entries()) {
    if (options.truncate !== undefined && !chunk.comment && events >= options.truncate) break;
    if (index > 0 && options.chunkDelayMs > 0) await options.sleep(options.chunkDelayMs);
    if (res.destroyed) return;
    res.write(chunk.text);
    if (!chunk.comment) events++;
  }
  res.end();
}
