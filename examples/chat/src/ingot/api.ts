import { z } from "zod";
import { parseJson, readSse } from "../lib/sse.js";

/**
 * The few calls the chat backend makes to Ingot's REST API (docs/api.md): which run an event
 * started, a run's live stream, and app sync. In `start` mode they carry the signing key as a
 * bearer token.
 */
export const Run = z.object({
  run_id: z.string(),
  status: z.enum(["Queued", "Running", "Completed", "Failed", "Cancelled"]),
  output: z.unknown().optional(),
});
export type Run = z.infer<typeof Run>;

const RunsAnswer = z.object({ data: z.array(Run) });

/** A message of `GET /v1/runs/:id/stream`. */
export type RunStreamMessage =
  | { id: string | undefined; event: "delta"; step_id: string; attempt: number; text: string }
  | {
      id: string | undefined;
      event: "ai.end";
      attempt: number;
      ok: boolean;
      retrying: boolean;
      error: string | undefined;
    }
  | { id: string | undefined; event: "run"; status: Run["status"] }
  | { id: string | undefined; event: "other" };

const Delta = z.object({ step_id: z.string(), attempt: z.number(), text: z.string() });
const AiEnd = z.object({
  attempt: z.number(),
  ok: z.boolean(),
  retrying: z.boolean().optional(),
  error: z.unknown().optional(),
});
const RunEnd = z.object({ status: Run.shape.status });

function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  return typeof error === "string" ? error : JSON.stringify(error);
}

export class IngotApiError extends Error {
  override name = "IngotApiError";
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class IngotApi {
  constructor(
    readonly baseUrl: string,
    private readonly signingKey: string | undefined,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.signingKey ? { authorization: `Bearer ${this.signingKey}`, ...extra } : extra;
  }

  private async get(path: string, signal?: AbortSignal): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        headers: this.headers(),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new IngotApiError(`Ingot at ${this.baseUrl} is unreachable`, undefined, {
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok)
      throw new IngotApiError(
        `Ingot answered ${response.status} to GET ${path}: ${text.slice(0, 200)}`,
        response.status,
      );
    return parseJson(text);
  }

  async health(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** The runs an event started (`[]` until the trigger has been processed). */
  async eventRuns(eventId: string, signal?: AbortSignal): Promise<Run[]> {
    return RunsAnswer.parse(
      await this.get(`/v1/events/${encodeURIComponent(eventId)}/runs`, signal),
    ).data;
  }

  /** Long poll: holds until every run of the event has ended, or `timeoutMs` passed. */
  async waitForEventRuns(eventId: string, timeoutMs: number, signal?: AbortSignal): Promise<Run[]> {
    const path = `/v1/events/${encodeURIComponent(eventId)}/runs?wait_for=completion&timeout=${Math.round(timeoutMs)}`;
    return RunsAnswer.parse(await this.get(path, signal)).data;
  }

  /** Syncs the app now, and makes Ingot keep re-syncing it. */
  async syncApp(url: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/v1/apps`, {
        method: "POST",
        headers: this.headers({ "content-type": "application/json" }),
        body: JSON.stringify({ url }),
      });
    } catch (error) {
      throw new IngotApiError(`Ingot at ${this.baseUrl} is unreachable`, undefined, {
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok)
      throw new IngotApiError(
        `Ingot could not sync ${url} (${response.status}): ${text.slice(0, 300)}`,
        response.status,
      );
  }

  /** The run's stream from after `lastEventId`; ends after the `run` message or on abort. */
  async *runStream(
    runId: string,
    options: { lastEventId?: string; signal: AbortSignal },
  ): AsyncGenerator<RunStreamMessage> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/v1/runs/${encodeURIComponent(runId)}/stream`, {
        headers: this.headers({
          accept: "text/event-stream",
          ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}),
        }),
        signal: options.signal,
      });
    } catch (error) {
      throw new IngotApiError(`Ingot at ${this.baseUrl} is unreachable`, undefined, {
        cause: error,
      });
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new IngotApiError(
        `Ingot answered ${response.status} to the run stream of ${runId}`,
        response.status,
      );
    }
    for await (const event of readSse(response.body)) {
      const data = parseJson(event.data);
      const id = event.id;
      if (event.event === "delta") {
        const delta = Delta.safeParse(data);
        if (delta.success) yield { id, event: "delta", ...delta.data };
      } else if (event.event === "ai.end") {
        const end = AiEnd.safeParse(data);
        if (end.success)
          yield {
            id,
            event: "ai.end",
            attempt: end.data.attempt,
            ok: end.data.ok,
            retrying: end.data.retrying ?? false,
            error: errorText(end.data.error),
          };
      } else if (event.event === "run") {
        const end = RunEnd.safeParse(data);
        yield { id, event: "run", status: end.success ? end.data.status : "Failed" };
        return;
      } else {
        yield { id, event: "other" };
      }
    }
  }
}
