import type { SdkHttpResponse } from "@ingot/engine";
import {
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  SdkHeader,
  type SdkRequestContext,
} from "@ingot/protocol";
import type { MemoizedStep } from "@ingot/store";
import { createRequire } from "node:module";
import { Agent } from "undici";
import type { Clock } from "./clock.js";
import { signBody } from "./security/signing.js";

export interface ExecutionCall {
  /** The function's registered runtime URL (`…?fnId=…&stepId=step`). */
  url: string;
  stepId: string;
  event: Record<string, unknown>;
  events: Record<string, unknown>[];
  memoized: readonly MemoizedStep[];
  ctx: Omit<SdkRequestContext, "stack" | "use_api" | "step_id">;
  requestVersion: number;
  queueItemId: string;
  requestId: string;
  /** Aborts the request (the run ended, or the item is no longer ours). */
  signal?: AbortSignal;
}

export type CallResult =
  { ok: true; response: SdkHttpResponse; usedApi: boolean } | { ok: false; message: string };

/**
 * `canonicalize` 1.x (the version the SDK verifies with) is CommonJS whose typings declare an ES
 * default export, which NodeNext resolution cannot call; load it as the function it is.
 */
const canonicalize = createRequire(import.meta.url)("canonicalize") as (
  input: unknown,
) => string | undefined;

/**
 * Calls apps' serve endpoints over keep-alive connections (undici). Builds the request body of
 * spec §3.3, signs it in `start` mode, switches to `use_api` for large state, and decodes the
 * answer — including the `201` streaming envelope (spec §3.3).
 */
export class SdkClient {
  private readonly agent: Agent;
  /** Requests open per app origin (sent or waiting for a connection), for `load()`. */
  private readonly open = new Map<string, number>();

  constructor(
    private readonly options: {
      clock: Clock;
      signingKey?: string;
      requestTimeoutMs: number;
      inlineStateBytes: number;
      /** Largest answer read from an app (default 32 MiB). */
      maxResponseBytes?: number;
      /** Connections per app origin; requests beyond them wait in order (undici's queue). */
      connections?: number;
      /** This node's id, sent as `x-ingot-node`. */
      node?: string;
    },
  ) {
    this.agent = new Agent({
      connections: options.connections ?? 256,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
    });
  }

  async execute(call: ExecutionCall): Promise<CallResult> {
    let body = this.body(call, false);
    let usedApi = false;
    if (Buffer.byteLength(body) > this.options.inlineStateBytes) {
      body = this.body(call, true);
      usedApi = true;
    }
    let result = await this.post(call, body);
    // App frameworks cap bodies (express.json: 100 kB); hand the state over through the API.
    if (result.ok && result.response.status === 413 && !usedApi) {
      usedApi = true;
      result = await this.post(call, this.body(call, true));
    }
    return result.ok ? { ...result, usedApi } : result;
  }

  /** Sends any signed JSON request to an app (used by sync too). */
  async send(input: {
    url: string;
    method: "PUT" | "POST" | "GET";
    body?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  }): Promise<CallResult> {
    const headers: Record<string, string> = { "user-agent": "Ingot", ...input.headers };
    if (input.body !== undefined) headers["content-type"] = "application/json";
    if (this.options.signingKey) {
      const t = Math.floor(this.options.clock.now() / 1000);
      headers[SdkHeader.Signature] = signBody(input.body ?? "", this.options.signingKey, t);
    }
    const { requestTimeoutMs } = this.options;
    // The whole exchange has a deadline, not only the wait for headers or between chunks: an app
    // that trickles bytes must not hold a slot for ever.
    const deadline = AbortSignal.timeout(requestTimeoutMs);
    const signal = input.signal ? AbortSignal.any([input.signal, deadline]) : deadline;
    const origin = new URL(input.url).origin;
    this.open.set(origin, (this.open.get(origin) ?? 0) + 1);
    try {
      const response = await this.agent.request({
        origin: new URL(input.url).origin,
        path: pathOf(input.url),
        method: input.method,
        headers,
        body: input.body,
        signal,
      });
      const text = await this.readCapped(response.body);
      if (text === undefined) {
        return {
          ok: false,
          message: `the app's answer is larger than ${this.maxResponseBytes} bytes, the most Ingot reads (INGOT_APP_MAX_RESPONSE_BYTES); return less data from a step, e.g. a reference to it`,
        };
      }
      if (jsonDepthExceeds(text)) {
        return {
          ok: false,
          message: `the app's answer nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels, the most Ingot accepts`,
        };
      }
      return {
        ok: true,
        response: decode(response.statusCode, flatten(response.headers), text),
        usedApi: false,
      };
    } catch (error) {
      if (deadline.aborted && !input.signal?.aborted) {
        return {
          ok: false,
          message: `the app did not answer within ${requestTimeoutMs} ms (INGOT_APP_REQUEST_TIMEOUT_MS)`,
        };
      }
      return { ok: false, message: describeNetworkError(error) };
    } finally {
      const left = (this.open.get(origin) ?? 1) - 1;
      if (left === 0) this.open.delete(origin);
      else this.open.set(origin, left);
    }
  }

  /**
   * Requests this node has open to an app: `active` hold a connection (at most the per-app cap,
   * `--app-concurrency`), `queued` wait for one, first come first served.
   */
  load(appUrl: string): { active: number; queued: number; limit: number } {
    let origin: string;
    try {
      origin = new URL(appUrl).origin;
    } catch {
      return { active: 0, queued: 0, limit: this.connections };
    }
    const open = this.open.get(origin) ?? 0;
    return {
      active: Math.min(open, this.connections),
      queued: Math.max(0, open - this.connections),
      limit: this.connections,
    };
  }

  private get connections(): number {
    return this.options.connections ?? 256;
  }

  private get maxResponseBytes(): number {
    return this.options.maxResponseBytes ?? 32 * 1024 * 1024;
  }

  /** The body as text, or undefined (and the connection dropped) once it passes the cap. */
  private async readCapped(
    body: AsyncIterable<Buffer> & { destroy(): void },
  ): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > this.maxResponseBytes) {
        body.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private post(call: ExecutionCall, body: string): Promise<CallResult> {
    const url = new URL(call.url);
    url.searchParams.set("stepId", call.stepId);
    const headers: Record<string, string> = {
      [SdkHeader.StepId]: call.stepId,
      [SdkHeader.RequestId]: call.requestId,
      [SdkHeader.JobId]: call.queueItemId,
      // Which node sent it: useful in app logs when several nodes share a database.
      "x-ingot-node": this.options.node ?? "",
    };
    if (call.requestVersion >= 0) headers[SdkHeader.ReqVersion] = String(call.requestVersion);
    return this.send({
      url: url.toString(),
      method: "POST",
      body,
      headers,
      ...(call.signal ? { signal: call.signal } : {}),
    });
  }

  private body(call: ExecutionCall, useApi: boolean): string {
    const stack = call.memoized.map((step) => step.stepId);
    const ctx: SdkRequestContext = {
      ...call.ctx,
      use_api: useApi,
      stack: { stack, current: stack.length },
      step_id: call.stepId,
    };
    const head = {
      event: call.event,
      events: useApi ? [] : call.events,
      defers: {},
      ctx,
      version: call.requestVersion,
      use_api: useApi,
    };
    const steps = useApi ? "{}" : memoizedJson(call.memoized);
    if (this.options.signingKey) {
      // The SDK verifies the HMAC over the canonical (RFC 8785) form of the parsed body (spec §8.2).
      const parsed: unknown = JSON.parse(steps);
      return canonicalize({ ...head, steps: parsed }) ?? "{}";
    }
    // Splice stored JSON in as is: no parse/stringify of large step outputs on the hot path.
    const headJson = JSON.stringify(head);
    return `${headJson.slice(0, -1)},"steps":${steps}}`;
  }
}

/** `{"<hash>": <memoized value>, …}` from stored JSON text. */
export function memoizedJson(memoized: readonly MemoizedStep[]): string {
  return `{${memoized.map((step) => `${JSON.stringify(step.stepId)}:${step.outputJson}`).join(",")}}`;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

function flatten(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers)) {
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Unwraps `INNGEST_STREAMING=true` answers: `201` + heartbeats + `{status, headers, body}`. */
function decode(
  status: number,
  headers: Record<string, string | undefined>,
  text: string,
): SdkHttpResponse {
  if (status === 201) {
    const envelope = parseJson(text);
    if (
      envelope !== null &&
      typeof envelope === "object" &&
      "status" in envelope &&
      "body" in envelope
    ) {
      const inner = envelope as { status: unknown; headers?: unknown; body: unknown };
      const innerHeaders: Record<string, string | undefined> = { ...headers };
      if (inner.headers !== null && typeof inner.headers === "object") {
        for (const [key, value] of Object.entries(inner.headers)) {
          if (typeof value === "string") innerHeaders[key.toLowerCase()] = value;
        }
      }
      const bodyText = typeof inner.body === "string" ? inner.body : JSON.stringify(inner.body);
      return {
        status: typeof inner.status === "number" ? inner.status : 500,
        headers: innerHeaders,
        body: parseJson(bodyText),
        text: bodyText,
      };
    }
  }
  return { status, headers, body: parseJson(text), text };
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `request to app failed${typeof code === "string" ? ` (${code})` : ""}: ${error.message}${cause}`;
  }
  return `request to app failed: ${String(error)}`;
}
