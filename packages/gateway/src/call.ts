import { Agent, type Dispatcher } from "undici";
import { createStreamAssembler, type StreamDelta } from "./assemble/index.js";
import { placeAuth } from "./auth.js";
import { embeddedError, isRetriableFailure } from "./classify.js";
import {
  capped,
  decodedBody,
  describeError,
  headerValue,
  readText,
  ResponseTooLargeError,
} from "./http.js";
import { parseJson } from "./json.js";
import { redactUrl } from "./redact.js";
import { retryAfterFromBody, retryAfterMs } from "./retry-after.js";
import { parseSse, type SseEvent } from "./sse.js";
import { prepareStreamingRequest } from "./stream-mode.js";

export interface AiCallRequest {
  url: string;
  format: string;
  headers?: Record<string, string> | null;
  body: unknown;
}

export type CallOutcome =
  | {
      ok: true;
      status: number;
      /** The provider's JSON; for a streamed call, assembled into the non-streamed shape. */
      data: unknown;
      latencyMs: number;
      /** Streamed calls: ms from the request's start to the first text delta. */
      firstTokenMs?: number;
    }
  | {
      ok: false;
      retriable: boolean;
      status: number | null;
      message: string;
      /** The raw body as text (stored as the error's `stack`, as Inngest does). */
      rawBody: string;
      data: unknown;
      retryAfterMs?: number;
      latencyMs: number;
    };

export type FetchOutcome =
  | {
      ok: true;
      data: { url: string; headers: Record<string, string>; body: string; status_code: number };
    }
  | { ok: false; message: string };

export interface InferStreamOptions {
  /** Total deadline of the attempt, stream included. */
  timeoutMs: number;
  /** Longest silence between two body chunks (default `timeoutMs`); comments count as data. */
  idleTimeoutMs?: number;
  /** Called with each delta as it arrives; it must not throw (a throw rejects `inferStream`). */
  onDelta?: (delta: StreamDelta) => void;
  /** Aborts the call (the run was cancelled): the connection is dropped at once. */
  signal?: AbortSignal;
}

export interface ProviderClientOptions {
  /** Connections per origin (default 2048). */
  connections?: number;
  /** undici connect options, e.g. a `lookup` that refuses private addresses (SSRF guard). */
  connect?: Agent.Options["connect"];
  /** Clock for HTTP-date `retry-after` and reset timestamps (default `Date.now`). */
  now?: () => number;
}

/** Provider responses larger than this are refused (Inngest caps at 8 MiB too). */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const MESSAGE_PREFIX = "Error making AI request: ";

type Failure = Extract<CallOutcome, { ok: false }>;

export class ProviderClient {
  private readonly agent: Agent;
  private readonly now: () => number;

  constructor(options: ProviderClientOptions = {}) {
    this.agent = new Agent({
      connections: options.connections ?? 2048,
      keepAliveTimeout: 30_000,
      ...(options.connect === undefined ? {} : { connect: options.connect }),
    });
    this.now = options.now ?? Date.now;
  }

  /** One attempt of a `step.ai.infer` call. The key is used here and not kept. */
  async infer(
    request: AiCallRequest,
    key: string | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<CallOutcome> {
    const placed = placeAuth({
      format: request.format,
      url: request.url,
      key,
      headers: request.headers ?? {},
    });
    return this.send({
      url: placed.url,
      method: "POST",
      headers: { "content-type": "application/json", ...placed.headers },
      body: JSON.stringify(request.body),
      timeoutMs,
      signal,
    });
  }

  /**
   * One attempt of a streamed `step.ai.infer` call: the body is prepared for streaming
   * (stream-mode.ts), an SSE answer is assembled into the provider's non-streamed JSON while
   * `onDelta` sees each delta; a provider that ignored `stream` and sent JSON is read as JSON.
   * Failures are classified as in `infer`; a stream cut before its terminal marker is retriable.
   */
  async inferStream(
    request: AiCallRequest,
    key: string | undefined,
    options: InferStreamOptions,
  ): Promise<CallOutcome> {
    const prepared = prepareStreamingRequest(request);
    const placed = placeAuth({
      format: request.format,
      url: prepared.url,
      key,
      headers: request.headers ?? {},
    });
    const started = performance.now();
    const latency = (): number => performance.now() - started;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.request({
        url: placed.url,
        method: "POST",
        headers: { "content-type": "application/json", ...placed.headers },
        body: JSON.stringify(prepared.body),
        timeoutMs: options.timeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        signal: options.signal,
      });
    } catch (error) {
      return transportFailure(error, latency);
    }
    const status = response.statusCode;
    const contentType = headerValue(response.headers, "content-type") ?? "";
    if (status < 200 || status > 299 || !contentType.includes("text/event-stream")) {
      return this.readOutcome(response, latency);
    }
    return this.streamOutcome({ response, format: request.format, options, latency });
  }

  async send(input: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
    timeoutMs: number;
    expectJson?: boolean;
    signal?: AbortSignal | undefined;
  }): Promise<CallOutcome> {
    const started = performance.now();
    const latency = (): number => performance.now() - started;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.request(input);
    } catch (error) {
      return transportFailure(error, latency);
    }
    return this.readOutcome(response, latency);
  }

  private request(input: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
    timeoutMs: number;
    idleTimeoutMs?: number | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<Dispatcher.ResponseData> {
    const url = new URL(input.url);
    const deadline = AbortSignal.timeout(input.timeoutMs);
    return this.agent.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: input.method,
      headers: input.headers,
      body: input.body,
      headersTimeout: input.timeoutMs,
      bodyTimeout: input.idleTimeoutMs ?? input.timeoutMs,
      signal: input.signal ? AbortSignal.any([input.signal, deadline]) : deadline,
    });
  }

  /** A whole (non-streamed) body → success, an error inside a 2xx, or a classified failure. */
  private async readOutcome(
    response: Dispatcher.ResponseData,
    latency: () => number,
  ): Promise<CallOutcome> {
    let text: string;
    try {
      text = await readText(
        capped(decodedBody(response.body, response.headers), MAX_RESPONSE_BYTES),
      );
    } catch (error) {
      return bodyFailure(error, response.statusCode, latency);
    }
    const status = response.statusCode;
    const data = parseJson(text);
    if (status >= 200 && status < 300) {
      if (data === undefined) {
        return failure({
          retriable: true,
          status,
          message: "provider answered with a body that is not JSON",
          text,
          latency,
        });
      }
      const embedded = embeddedError(data);
      if (!embedded) return { ok: true, status, data, latencyMs: latency() };
      return this.withRetryAfter(
        failure({
          retriable: isRetriableFailure(embedded.status, data),
          status: embedded.status,
          message: embedded.message,
          text,
          latency,
          data,
        }),
        data,
      );
    }
    const outcome = failure({
      retriable: isRetriableFailure(status, data),
      status,
      message: `${MESSAGE_PREFIX}unsuccessful status code: ${status}`,
      text,
      latency,
      data,
    });
    const fromHeaders = retryAfterMs(response.headers, this.now(), status);
    if (fromHeaders !== undefined) outcome.retryAfterMs = fromHeaders;
    return fromHeaders === undefined ? this.withRetryAfter(outcome, data) : outcome;
  }

  private withRetryAfter(outcome: Failure, data: unknown): Failure {
    const ms = retryAfterFromBody(data, this.now());
    if (ms !== undefined) outcome.retryAfterMs = ms;
    return outcome;
  }

  private async streamOutcome(input: {
    response: Dispatcher.ResponseData;
    format: string;
    options: InferStreamOptions;
    latency: () => number;
  }): Promise<CallOutcome> {
    const { response, options, latency } = input;
    const assembler = createStreamAssembler(input.format);
    const body = capped(decodedBody(response.body, response.headers), MAX_RESPONSE_BYTES);
    const events = parseSse(body);
    let firstTokenMs: number | undefined;
    let ended = false;
    try {
      for (;;) {
        let next: IteratorResult<SseEvent, void>;
        try {
          next = await events.next();
        } catch (error) {
          ended = true;
          return bodyFailure(error, null, latency);
        }
        if (next.done === true) break;
        for (const delta of assembler.push(next.value)) {
          if (delta.type === "text" && firstTokenMs === undefined) firstTokenMs = latency();
          options.onDelta?.(delta);
        }
      }
      ended = true;
    } finally {
      // A throwing `onDelta` leaves the body half read: release the connection.
      if (!ended) await events.return(undefined);
    }
    const result = assembler.finish();
    if (result.ok) {
      return {
        ok: true,
        status: response.statusCode,
        data: result.json,
        latencyMs: latency(),
        ...(firstTokenMs === undefined ? {} : { firstTokenMs }),
      };
    }
    const { error } = result;
    const outcome = failure({
      retriable: error.retriable,
      status: error.status,
      message: `${MESSAGE_PREFIX}${error.message}`,
      text: error.data === undefined ? "" : JSON.stringify(error.data),
      latency,
      data: error.data,
    });
    return this.withRetryAfter(outcome, error.data);
  }

  /**
   * A `step.fetch` request: any status is a result (`{url, headers, body, status_code}`); only a
   * transport failure is an error.
   */
  async fetch(input: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
  }): Promise<FetchOutcome> {
    try {
      const response = await this.request(input);
      const body = await readText(
        capped(decodedBody(response.body, response.headers), MAX_RESPONSE_BYTES),
      );
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
      }
      return {
        ok: true,
        // The result is stored as the step's output: keep no credential of the URL in it.
        data: { url: redactUrl(input.url), headers, body, status_code: response.statusCode },
      };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function failure(input: {
  retriable: boolean;
  status: number | null;
  message: string;
  text: string;
  latency: () => number;
  data?: unknown;
}): Failure {
  return {
    ok: false,
    retriable: input.retriable,
    status: input.status,
    message: input.message,
    rawBody: input.text,
    data: input.data === undefined ? (input.text === "" ? null : input.text) : input.data,
    latencyMs: input.latency(),
  };
}

/** No answer at all: refused, reset, DNS, TLS, timeout before headers. Worth another attempt. */
function transportFailure(error: unknown, latency: () => number): Failure {
  return failure({
    retriable: true,
    status: null,
    message: `${MESSAGE_PREFIX}${describeError(error)}`,
    text: "",
    latency,
  });
}

/** The body could not be read whole: too large (final), or cut / timed out (retriable). */
function bodyFailure(error: unknown, status: number | null, latency: () => number): Failure {
  if (error instanceof ResponseTooLargeError) {
    return failure({
      retriable: false,
      status,
      message: `${MESSAGE_PREFIX}${error.message}`,
      text: "",
      latency,
    });
  }
  return failure({
    retriable: true,
    status,
    message: `${MESSAGE_PREFIX}response interrupted: ${describeError(error)}`,
    text: "",
    latency,
  });
}
