import {
  boolean,
  type Decoder,
  nullable,
  number,
  object,
  optional,
  string,
  unknownValue,
} from "./decode";

/** Messages of `GET /v1/runs/:id/stream` (docs/api.md, "Streaming"), checked as they arrive. */

const decoders = {
  "ai.start": object({
    step_id: string,
    attempt: number,
    provider: optional(nullable(string)),
    model: optional(nullable(string)),
  }),
  delta: object({ step_id: string, attempt: number, text: string }),
  "ai.end": object({
    step_id: string,
    attempt: number,
    ok: boolean,
    error: optional(nullable(string)),
    retrying: optional(boolean),
  }),
  step: object({ step_id: string, name: optional(nullable(string)), status: string }),
  run: object({ status: string, output: unknownValue }),
} satisfies Record<string, Decoder<unknown>>;

type Decoders = typeof decoders;
export type StreamEventName = keyof Decoders;
export type StreamMessage = {
  [K in StreamEventName]: { event: K; data: ReturnType<Decoders[K]> };
}[StreamEventName];

export interface RunStreamHandlers {
  onMessage(message: StreamMessage): void;
  /** The connection is up (true) or lost and being retried by the browser (false). */
  onConnection(open: boolean): void;
}

const NAMES: readonly StreamEventName[] = ["ai.start", "delta", "ai.end", "step", "run"];

/**
 * Subscribes to a run's stream with `EventSource`, which resumes by itself with
 * `Last-Event-ID` after a dropped connection. The server ends the stream after `run`; the
 * subscription closes then, or else the browser would reconnect to a finished run forever.
 */
export function subscribeToRun(runId: string, handlers: RunStreamHandlers): () => void {
  const source = new EventSource(`/v1/runs/${encodeURIComponent(runId)}/stream`);
  source.onopen = () => handlers.onConnection(true);
  source.onerror = () => handlers.onConnection(false);
  for (const name of NAMES) {
    source.addEventListener(name, (event) => {
      if (!(event instanceof MessageEvent) || typeof event.data !== "string") return;
      const message = parse(name, event.data);
      if (message === undefined) return;
      handlers.onMessage(message);
      if (message.event === "run") source.close();
    });
  }
  return () => source.close();
}

function parse(name: StreamEventName, text: string): StreamMessage | undefined {
  try {
    return builders[name](JSON.parse(text));
  } catch {
    // A malformed message is dropped: the refetch on the next `step` or `run` repairs the view.
    return undefined;
  }
}

const builders: { [K in StreamEventName]: (json: unknown) => StreamMessage } = {
  "ai.start": (json) => ({ event: "ai.start", data: decoders["ai.start"](json, "ai.start") }),
  delta: (json) => ({ event: "delta", data: decoders.delta(json, "delta") }),
  "ai.end": (json) => ({ event: "ai.end", data: decoders["ai.end"](json, "ai.end") }),
  step: (json) => ({ event: "step", data: decoders.step(json, "step") }),
  run: (json) => ({ event: "run", data: decoders.run(json, "run") }),
};
