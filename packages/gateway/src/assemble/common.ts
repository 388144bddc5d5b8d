import { embeddedError, isRetriableFailure } from "../classify.js";
import { asArray, isRecord, parseJson, type JsonRecord } from "../json.js";
import type { SseEvent } from "../sse.js";
import { extractUsage } from "../usage.js";
import type { AssembledStream, StreamAssembler, StreamDelta, StreamFailure } from "./types.js";

/** An error event inside a 2xx stream, classified like the same error as an HTTP status. */
export function failureFromErrorBody(body: unknown): StreamFailure {
  // OpenRouter's error chunk also carries `choices`; only the error matters here.
  const probe = isRecord(body) && body.type !== "error" ? { error: body.error } : body;
  const error = embeddedError(probe) ?? { status: 500, message: "provider reported an error" };
  return {
    retriable: isRetriableFailure(error.status, body),
    status: error.status,
    message: `provider reported an error mid-stream (${error.status}): ${error.message}`,
    data: body,
  };
}

export function usageDelta(format: string, json: unknown): StreamDelta {
  const { model: _model, ...counts } = extractUsage(format, json);
  return { type: "usage", ...counts };
}

/**
 * Appends a streamed field into an accumulated object: strings concatenate (`reasoning_content`
 * fragments), arrays concatenate, anything else replaces; `null` adds nothing.
 */
export function mergeField(target: JsonRecord, key: string, value: unknown): void {
  if (value === null || value === undefined) return;
  const current = target[key];
  const values = asArray(value);
  const currents = asArray(current);
  if (typeof value === "string" && typeof current === "string") target[key] = current + value;
  else if (values && currents) target[key] = [...currents, ...values];
  else target[key] = value;
}

/**
 * The bookkeeping every format shares: a failure stops the assembly, and `finish` fails a stream
 * whose terminal marker never came (a cut connection looks like a clean end to the reader).
 */
export abstract class BaseAssembler implements StreamAssembler {
  private failure: StreamFailure | undefined;
  private terminated = false;

  /** The terminal marker, named for the truncation message. */
  protected abstract readonly marker: string;

  protected abstract handle(event: SseEvent): StreamDelta[];

  protected abstract build(): AssembledStream;

  push(event: SseEvent): StreamDelta[] {
    if (this.failure !== undefined) return [];
    return this.handle(event);
  }

  finish(): AssembledStream {
    if (this.failure !== undefined) return { ok: false, error: this.failure };
    if (!this.terminated) {
      return {
        ok: false,
        error: {
          retriable: true,
          status: null,
          message: `stream ended before its terminal marker (${this.marker}); the answer is incomplete`,
        },
      };
    }
    return this.build();
  }

  protected terminate(): void {
    this.terminated = true;
  }

  protected fail(failure: StreamFailure): StreamDelta[] {
    this.failure = failure;
    return [];
  }

  /** The event's data as a JSON object, or a (retriable) failure when it is not one. */
  protected parseObject(event: SseEvent): JsonRecord | undefined {
    const value = parseJson(event.data);
    if (isRecord(value)) return value;
    this.fail({
      retriable: true,
      status: null,
      message: `stream event is not a JSON object: ${event.data.slice(0, 200)}`,
    });
    return undefined;
  }
}
