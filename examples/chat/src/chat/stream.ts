import { describeError } from "../errors.js";
import { IngotApiError, type Run } from "../ingot/api.js";
import type { ChatRequest } from "../store/types.js";
import { type ChatDeps, runUrl } from "./deps.js";
import type { HubEvent } from "./hub.js";
import { resultView, type ResultView } from "./result.js";

/**
 * `GET /api/v1/chat/stream/:id` as a sequence of events: `meta` (ids and the run's dashboard
 * link), `delta` tokens, `reset` when a failed attempt's partial text must be discarded (a retry
 * streams again from the start), and a final `done` carrying the same object as the result
 * endpoint. Delta ids are resumable with `Last-Event-ID`.
 */
export type ChatStreamEvent =
  | {
      event: "meta";
      data: {
        request_id: string;
        conversation_id: string;
        mode: ChatRequest["mode"];
        run_id: string | null;
        run_url: string | null;
      };
    }
  | { event: "delta"; id: string; data: { text: string } }
  | { event: "reset"; id?: string; data: { reason: string } }
  | { event: "done"; data: ResultView };

const RUN_LOOKUP_MS = 30_000;
const SETTLE_MS = 15_000;
const RECONNECTS = 5;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function* chatStream(
  deps: ChatDeps,
  request: ChatRequest,
  options: { lastEventId: string | undefined; signal: AbortSignal },
): AsyncGenerator<ChatStreamEvent> {
  const meta = (runId: string | null): ChatStreamEvent => ({
    event: "meta",
    data: {
      request_id: request.id,
      conversation_id: request.conversation_id,
      mode: request.mode,
      run_id: runId,
      run_url: runUrl(deps.config, runId),
    },
  });
  if (request.status !== "pending") {
    yield meta(request.run_id);
    yield { event: "done", data: resultView(deps.config, request) };
    return;
  }
  if (request.mode === "direct") yield* directStream(deps, request, meta(null), options);
  else yield* durableStream(deps, request, meta, options);
}

/** Waits until the request is settled in the store (the save step has run), or gives up. */
async function settled(deps: ChatDeps, id: string, signal: AbortSignal): Promise<ResultView> {
  const deadline = Date.now() + SETTLE_MS;
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    const request = await deps.store.getRequest(id);
    if (!request) return { status: "error", error: `request ${id} disappeared` };
    if (request.status !== "pending" || Date.now() > deadline || signal.aborted)
      return resultView(deps.config, request);
    await sleep(wait, signal);
  }
}

async function* directStream(
  deps: ChatDeps,
  request: ChatRequest,
  meta: ChatStreamEvent,
  options: { lastEventId: string | undefined; signal: AbortSignal },
): AsyncGenerator<ChatStreamEvent> {
  yield meta;
  const queue: HubEvent[] = [];
  let wake: (() => void) | undefined;
  const after = Number(options.lastEventId ?? 0);
  const unsubscribe = deps.hub.subscribe(
    request.id,
    Number.isInteger(after) ? after : 0,
    (event) => {
      queue.push(event);
      wake?.();
    },
  );
  const onAbort = () => wake?.();
  options.signal.addEventListener("abort", onAbort);
  try {
    // No channel: the process that ran it is gone (restart); the store has the outcome.
    while (unsubscribe && !options.signal.aborted) {
      const event = queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (event.event === "end") break;
      if (event.event === "delta")
        yield { event: "delta", id: String(event.id), data: { text: event.text } };
      else yield { event: "reset", id: String(event.id), data: { reason: event.reason } };
    }
  } finally {
    unsubscribe?.();
    options.signal.removeEventListener("abort", onAbort);
  }
  if (!options.signal.aborted)
    yield { event: "done", data: await settled(deps, request.id, options.signal) };
}

/** The run the request's event started; polls because the trigger runs asynchronously. */
async function findRun(
  deps: ChatDeps,
  request: ChatRequest,
  signal: AbortSignal,
): Promise<Run | undefined> {
  const deadline = Date.now() + RUN_LOOKUP_MS;
  for (let wait = 20; Date.now() < deadline && !signal.aborted; wait = Math.min(wait * 2, 250)) {
    const current = await deps.store.getRequest(request.id);
    if (current?.status !== "pending") return undefined;
    if (current.event_id !== null) {
      const [run] = await deps.ingot.eventRuns(current.event_id, signal);
      if (run) return run;
    }
    await sleep(wait, signal);
  }
  return undefined;
}

async function* durableStream(
  deps: ChatDeps,
  request: ChatRequest,
  meta: (runId: string | null) => ChatStreamEvent,
  options: { lastEventId: string | undefined; signal: AbortSignal },
): AsyncGenerator<ChatStreamEvent> {
  const { signal } = options;
  let run: Run | undefined;
  try {
    run = await findRun(deps, request, signal);
  } catch (error) {
    deps.logger.warn("could not look up the run", {
      requestId: request.id,
      error: describeError(error),
    });
  }
  yield meta(run?.run_id ?? null);
  let lastEventId = options.lastEventId;
  let firstToken = true;
  let ended = run === undefined;
  for (let attempt = 0; run && !ended && attempt <= RECONNECTS && !signal.aborted; attempt++) {
    try {
      for await (const message of deps.ingot.runStream(run.run_id, {
        ...(lastEventId ? { lastEventId } : {}),
        signal,
      })) {
        if (message.id !== undefined) lastEventId = message.id;
        if (message.event === "delta") {
          if (firstToken) {
            firstToken = false;
            await deps.store.setFirstToken(request.id, deps.now() - request.created_at);
          }
          yield { event: "delta", id: message.id ?? "", data: { text: message.text } };
        } else if (message.event === "ai.end" && !message.ok) {
          yield {
            event: "reset",
            ...(message.id ? { id: message.id } : {}),
            data: { reason: message.error ?? "the model call failed" },
          };
        } else if (message.event === "run") {
          ended = true;
        }
      }
      if (!ended) throw new Error("the run stream closed before the run ended");
    } catch (error) {
      if (signal.aborted) return;
      // A 404 means the run is unknown here (another Ingot, or pruned): nothing to resume.
      if (error instanceof IngotApiError && error.status === 404) break;
      deps.logger.warn("run stream interrupted; reconnecting", {
        requestId: request.id,
        error: describeError(error),
      });
      await sleep(250 * 2 ** attempt, signal);
    }
  }
  if (!signal.aborted) yield { event: "done", data: await settled(deps, request.id, signal) };
}
