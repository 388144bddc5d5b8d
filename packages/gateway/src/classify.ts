import { asArray, field, isRecord, num, rec, str } from "./json.js";

/**
 * Which provider failures are worth another attempt (ai-gateway.md §5.4). Inngest retries every
 * non-2xx; retrying a 401 only burns attempts and time.
 */
const RETRIABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529]);

export function isRetriableStatus(status: number): boolean {
  return RETRIABLE.has(status) || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * A 429 that waiting does not cure: OpenAI `insufficient_quota`, Anthropic
 * `enforced_spend_limit_reached` (in `error.details.error_code`), Anthropic `billing_error`.
 */
export function isQuotaError(body: unknown): boolean {
  const error = rec(body, "error");
  const markers = [
    str(error, "type"),
    str(error, "code"),
    str(rec(error, "details"), "error_code"),
  ];
  return markers.some(
    (m) =>
      m === "insufficient_quota" || m === "enforced_spend_limit_reached" || m === "billing_error",
  );
}

/** Retriable by status, unless the body says the quota or spend limit is exhausted. */
export function isRetriableFailure(status: number, body: unknown): boolean {
  return isRetriableStatus(status) && !isQuotaError(body);
}

/**
 * Errors inside a 200 body: Anthropic `{type: "error"}` (e.g. overloaded mid-stream),
 * OpenRouter `{error: {code, message}}`, Gemini `{error: {code, status, message}}`. Returns the
 * status the error stands for.
 */
export function embeddedError(body: unknown): { status: number; message: string } | undefined {
  if (!isRecord(body)) return undefined;
  const error = body.error;
  const hasAnswer = "choices" in body || "content" in body || "candidates" in body;
  if (body.type !== "error" && (error === undefined || error === null || hasAnswer)) {
    return undefined;
  }
  const detail = isRecord(error) ? error : {};
  const status =
    num(detail, "code") ??
    statusOfType(str(detail, "type") ?? str(detail, "code") ?? str(detail, "status"));
  const message =
    str(detail, "message") ??
    (typeof error === "string" ? error : undefined) ??
    "provider returned an error body";
  return { status, message };
}

/** OpenAI, Anthropic and Google error types/codes → the HTTP status they go with. */
const TYPE_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  authentication_error: 401,
  invalid_api_key: 401,
  UNAUTHENTICATED: 401,
  billing_error: 402,
  permission_error: 403,
  PERMISSION_DENIED: 403,
  not_found_error: 404,
  model_not_found: 404,
  NOT_FOUND: 404,
  conflict_error: 409,
  request_too_large: 413,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  requests: 429,
  tokens: 429,
  insufficient_quota: 429,
  RESOURCE_EXHAUSTED: 429,
  server_error: 500,
  api_error: 500,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  timeout_error: 504,
  DEADLINE_EXCEEDED: 504,
  overloaded_error: 529,
};

/** Unknown types count as 500: an error we cannot read is more likely transient than final. */
export function statusOfType(type: string | undefined): number {
  return (type === undefined ? undefined : TYPE_STATUS[type]) ?? 500;
}

/** A provider error body's message, for failure text; `undefined` when it has none. */
export function errorMessageOf(body: unknown): string | undefined {
  const error = field(asArray(body)?.[0] ?? body, "error");
  return typeof error === "string" ? error : str(error, "message");
}
