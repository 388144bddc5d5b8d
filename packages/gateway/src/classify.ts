/**
 * Which provider failures are worth another attempt (ai-gateway.md §5.4). Inngest retries every
 * non-2xx; retrying a 401 only burns attempts and time.
 */
const RETRIABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529]);

export function isRetriableStatus(status: number): boolean {
  return RETRIABLE.has(status) || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Errors inside a 200 body: Anthropic `{type: "error"}` (e.g. overloaded mid-stream),
 * OpenRouter `{error: {code, message}}`. Returns the embedded status when there is one.
 */
export function embeddedError(body: unknown): { status: number; message: string } | undefined {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  const hasChoices = "choices" in record || "content" in record || "candidates" in record;
  if (record.type === "error" || (error !== undefined && error !== null && !hasChoices)) {
    const detail =
      error !== null && typeof error === "object" ? (error as Record<string, unknown>) : {};
    const code = typeof detail.code === "number" ? detail.code : statusOfType(detail.type);
    const message =
      typeof detail.message === "string" ? detail.message : "provider returned an error body";
    return { status: code, message };
  }
  return undefined;
}

function statusOfType(type: unknown): number {
  switch (type) {
    case "overloaded_error":
      return 529;
    case "rate_limit_error":
      return 429;
    case "authentication_error":
      return 401;
    case "permission_error":
      return 403;
    case "not_found_error":
      return 404;
    case "invalid_request_error":
      return 400;
    default:
      return 500;
  }
}
