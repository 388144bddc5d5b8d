import { Agent } from "undici";
import { placeAuth } from "./auth.js";
import { embeddedError, isRetriableStatus } from "./classify.js";

export interface AiCallRequest {
  url: string;
  format: string;
  headers?: Record<string, string> | null;
  body: unknown;
}

export type CallOutcome =
  | { ok: true; status: number; data: unknown; latencyMs: number }
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

/** Provider responses larger than this are refused (Inngest caps at 8 MiB too). */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class ProviderClient {
  private readonly agent: Agent;

  constructor(options: { connections?: number } = {}) {
    this.agent = new Agent({ connections: options.connections ?? 2048, keepAliveTimeout: 30_000 });
  }

  /** One attempt of a `step.ai.infer` call. The key is used here and not kept. */
  async infer(
    request: AiCallRequest,
    key: string | undefined,
    timeoutMs: number,
  ): Promise<CallOutcome> {
    const placed = placeAuth({
      format: request.format,
      url: request.url,
      key,
      headers: request.headers ?? {},
    });
    const headers = { "content-type": "application/json", ...placed.headers };
    return this.send({
      url: placed.url,
      method: "POST",
      headers,
      body: JSON.stringify(request.body),
      timeoutMs,
    });
  }

  async send(input: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
    timeoutMs: number;
    expectJson?: boolean;
  }): Promise<CallOutcome> {
    const started = performance.now();
    const latency = (): number => performance.now() - started;
    try {
      const url = new URL(input.url);
      const response = await this.agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: input.method,
        headers: input.headers,
        body: input.body,
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
        signal: AbortSignal.timeout(input.timeoutMs),
      });
      const text = await response.body.text();
      const data = parseJson(text);
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        const embedded = data === undefined ? undefined : embeddedError(data);
        if (data === undefined) {
          return failure({
            retriable: true,
            status,
            message: "provider answered with a body that is not JSON",
            text,
            latency,
          });
        }
        if (embedded) {
          return failure({
            retriable: isRetriableStatus(embedded.status),
            status: embedded.status,
            message: embedded.message,
            text,
            latency,
            data,
          });
        }
        return { ok: true, status, data, latencyMs: latency() };
      }
      const outcome = failure({
        retriable: isRetriableStatus(status),
        status,
        message: `Error making AI request: unsuccessful status code: ${status}`,
        text,
        latency,
        data,
      });
      const retryAfter = retryAfterMs(response.headers);
      if (retryAfter !== undefined && !outcome.ok) outcome.retryAfterMs = retryAfter;
      return outcome;
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return failure({
        retriable: true,
        status: null,
        message: `Error making AI request: ${message}`,
        text: "",
        latency,
      });
    }
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
  }): Promise<FetchOutcome> {
    try {
      const url = new URL(input.url);
      const response = await this.agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: input.method,
        headers: input.headers,
        body: input.body,
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
        signal: AbortSignal.timeout(input.timeoutMs),
      });
      const body = await response.body.text();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
      }
      return {
        ok: true,
        data: { url: input.url, headers, body, status_code: response.statusCode },
      };
    } catch (error) {
      return {
        ok: false,
        message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
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
}): Extract<CallOutcome, { ok: false }> {
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

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `retry-after-ms`, `retry-after` (seconds or date), or a rate-limit reset header. */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
): number | undefined {
  const get = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const ms = Number(get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && get("retry-after-ms") !== undefined) return ms;
  const after = get("retry-after");
  if (after !== undefined) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  return undefined;
}
