import type { ChatDeps } from "../chat/deps.js";
import type { ChatRequest } from "../store/types.js";

/**
 * Long poll of `GET /api/v1/chat/result/:id?wait=s`: a durable request waits on Ingot's own
 * long poll (the server wakes it when the run ends; nothing polls), a direct one on its stream's
 * end. Then the store says how it ended.
 */
export async function waitSettled(
  deps: ChatDeps,
  request: ChatRequest,
  ms: number,
  signal: AbortSignal,
): Promise<ChatRequest> {
  const deadline = Date.now() + ms;
  if (request.mode === "durable" && request.event_id !== null) {
    try {
      await deps.ingot.waitForEventRuns(request.event_id, ms, signal);
    } catch {
      // Ingot unreachable: fall through to the store, which is the source of truth anyway.
    }
  } else if (request.mode === "direct") {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      const unsubscribe = deps.hub.subscribe(request.id, 0, (event) => {
        if (event.event === "end") done();
      });
      if (!unsubscribe) done();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
  // The run ended or the stream closed; the save may trail by a moment (onFailure runs after).
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const current = (await deps.store.getRequest(request.id)) ?? request;
    if (current.status !== "pending" || Date.now() >= deadline || signal.aborted) return current;
    await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
  }
}
