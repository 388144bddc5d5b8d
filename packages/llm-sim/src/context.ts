import type { ResolvedBehaviour } from "./script.js";
import type { StreamChunk, StreamPlan } from "./sse.js";
import type { Behaviour, Dialect, Endpoint, RecordedRequest } from "./types.js";

/** Everything a dialect needs to know about one request. */
export interface CallContext {
  seq: number;
  dialect: Dialect;
  endpoint: Endpoint;
  /** Model from the path (Gemini) or deployment (Azure), if the route has one. */
  pathModel: string | undefined;
  url: URL;
  headers: Record<string, string>;
  json: unknown;
  /** Parser message when the body is not valid JSON. */
  jsonError: string | undefined;
  /** Epoch milliseconds. */
  now: number;
  record: RecordedRequest;
  isValidKey: (key: string) => boolean;
  requireAnthropicVersion: boolean;
  /** The `models` option: when set, the only models that exist. */
  models: readonly string[] | undefined;
}

/** A provider error before it is rendered in the provider's own shape. */
export interface ErrorSpec {
  status: number;
  message?: string;
  type?: string;
  code?: string | number | null;
  param?: string;
  /** Gemini `ErrorInfo.reason`, e.g. `API_KEY_INVALID`. */
  reason?: string;
  /** Seconds; Gemini renders it as a `RetryInfo` detail. */
  retryAfter?: number;
}

export type ParseResult<P> = { ok: true; value: P } | { ok: false; error: ErrorSpec };

export function invalid(error: ErrorSpec): { ok: false; error: ErrorSpec } {
  return { ok: false, error };
}

/** Per-dialect concerns that do not depend on the endpoint. */
export interface Profile {
  dialect: Dialect;
  authenticate: (ctx: CallContext) => ErrorSpec | undefined;
  errorBody: (spec: ErrorSpec, ctx: CallContext) => unknown;
  invalidJson: (message: string) => ErrorSpec;
  modelNotFound: (model: string) => ErrorSpec;
  /** Request-id and rate-limit headers sent with every response. */
  headers: (ctx: CallContext, status: number) => Record<string, string>;
}

export interface Parsed {
  model: string;
  userText: string;
  stream: boolean;
}

export type Rendered = { kind: "json"; body: unknown } | { kind: "stream"; plan: StreamPlan };

export interface RenderInput<P extends Parsed> {
  parsed: P;
  resolved: ResolvedBehaviour;
  ctx: CallContext;
}

/** One API operation of one dialect. */
export interface EndpointImpl<P extends Parsed> {
  parse: (json: unknown, ctx: CallContext) => ParseResult<P>;
  render: (input: RenderInput<P>) => Rendered;
  /** Events that end a stream with an error (after the head), for `errorInBody`. */
  streamError?: (spec: ErrorSpec, ctx: CallContext, headLength: number) => StreamChunk[];
}

/** The error a behaviour asks for, with provider defaults left to the profile. */
export function errorFromBehaviour(status: number, b: Behaviour): ErrorSpec {
  const spec: ErrorSpec = { status };
  if (b.error?.message !== undefined) spec.message = b.error.message;
  if (b.error?.type !== undefined) spec.type = b.error.type;
  if (b.error?.code !== undefined) spec.code = b.error.code;
  if (b.retryAfter !== undefined) spec.retryAfter = b.retryAfter;
  else if (b.retryAfterMs !== undefined) spec.retryAfter = b.retryAfterMs / 1000;
  return spec;
}

/** Zero-padded sequence number used in every deterministic id. */
export function pad(seq: number): string {
  return String(seq).padStart(6, "0");
}
