import { ErrorCode, IngotError, isTerminal, RunId } from "@ingot/protocol";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { StreamMessage } from "../streams.js";
import type { HttpDeps } from "./context.js";

/** Comment line sent when nothing else happened, so proxies keep the connection. */
const HEARTBEAT_MS = 15_000;
/**
 * Messages waiting for a reader that does not keep up: past this many (twice a run's replay
 * buffer), it is dropped with a last `closing` event instead of growing the server's memory.
 */
const MAX_QUEUED = 40_000;
/** How long a finished run's own `run` message may lag the commit that ended it. */
const END_GRACE_MS = 1_000;

/**
 * `GET /v1/runs/:runId/stream` — Server-Sent Events of a run: `ai.start`, `delta` (tokens of a
 * streamed `step.ai.infer` while the function is suspended), `ai.end`, `step` and finally `run`.
 * Every message has an `id`; reconnect with `Last-Event-ID` (or `?after=`) to resume.
 */
export function streamRoutes(app: Hono, deps: HttpDeps): void {
  app.get("/v1/runs/:runId/stream", async (c) => {
    const runId = RunId(c.req.param("runId"));
    const run = await deps.store.runs.get(runId);
    if (!run) throw new IngotError(ErrorCode.RunNotFound, `run ${runId} not found`);
    const after = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? 0);
    const afterId = Number.isInteger(after) && after >= 0 ? after : 0;

    return streamSSE(c, async (stream) => {
      const queue: StreamMessage[] = [];
      let wake: (() => void) | undefined;
      let done = false;
      let tooSlow = false;
      const streamed = deps.streams.has(runId);
      const unsubscribe = deps.streams.subscribe(runId, afterId, (message) => {
        if (queue.length >= MAX_QUEUED) {
          tooSlow = true;
          queue.length = 0;
        } else if (!tooSlow) queue.push(message);
        wake?.();
      });
      stream.onAbort(() => {
        done = true;
        wake?.();
      });
      // A run that ended before anyone watched it has no `run` message buffered: say it now.
      // When its stream is buffered here, the real message (with its id) is on its way: it is
      // announced after the commit's fsync, or comes from another node; give it a moment.
      const current = await deps.store.runs.get(runId);
      if (current && isTerminal(current.status) && !deps.streams.ended(runId)) {
        const end: StreamMessage = {
          id: 0,
          event: "run",
          data: {
            status: current.status,
            output: current.status === "Completed" ? current.output : current.error,
          },
        };
        if (!streamed) queue.push(end);
        else
          setTimeout(() => {
            if (deps.streams.ended(runId)) return;
            queue.push(end);
            wake?.();
          }, END_GRACE_MS).unref();
      }
      try {
        while (!done && !tooSlow) {
          const message = queue.shift();
          if (message) {
            await stream.writeSSE({
              ...(message.id > 0 ? { id: String(message.id) } : {}),
              event: message.event,
              data: JSON.stringify(message.data),
            });
            if (message.event === "run") break;
            continue;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, HEARTBEAT_MS);
            wake = () => {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            };
          });
          if (queue.length === 0 && !done) await stream.write(": ping\n\n");
        }
        if (tooSlow) {
          const reason = `reader too slow: more than ${MAX_QUEUED} messages waiting; reconnect with Last-Event-ID`;
          await stream.writeSSE({ event: "closing", data: JSON.stringify({ reason }) });
        }
      } finally {
        unsubscribe();
      }
    });
  });
}
