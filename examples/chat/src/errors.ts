/**
 * Errors that carry an HTTP meaning, converted to a response in one place (`http/app.ts`).
 * Codes are stable strings clients may branch on; messages say what was expected.
 */
export const ErrorCode = {
  invalidJson: "invalid_json",
  invalidRequest: "invalid_request",
  notFound: "not_found",
  payloadTooLarge: "payload_too_large",
  rateLimited: "rate_limited",
  unavailable: "unavailable",
  internal: "internal",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS: Record<ErrorCode, 400 | 404 | 413 | 429 | 503 | 500> = {
  invalid_json: 400,
  invalid_request: 400,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class ChatError extends Error {
  override name = "ChatError";
  readonly status: 400 | 404 | 413 | 429 | 503 | 500;
  /** Seconds, for 429. */
  readonly retryAfter: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryAfter?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = STATUS[code];
    this.retryAfter = options.retryAfter;
  }
}

/** A readable one-line description of anything thrown, keeping the cause chain's messages. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    if (!parts.includes(cause.message)) parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(": ");
}
