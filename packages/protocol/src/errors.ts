/**
 * Errors with stable codes. HTTP statuses are attached here and converted to responses in one
 * place (the server's error handler). Messages say what was expected and how to fix it.
 */

export const ErrorCode = {
  InvalidJson: "invalid_json",
  InvalidRequest: "invalid_request",
  PayloadTooLarge: "payload_too_large",
  Unauthorized: "unauthorized",
  Forbidden: "forbidden",
  InvalidSignature: "invalid_signature",
  InvalidEventKey: "invalid_event_key",
  RunNotFound: "run_not_found",
  EventNotFound: "event_not_found",
  FunctionNotFound: "function_not_found",
  AppNotFound: "app_not_found",
  RouteNotFound: "route_not_found",
  StaleDispatch: "stale_dispatch",
  Conflict: "conflict",
  InvalidExpression: "invalid_expression",
  ReservedEventName: "reserved_event_name",
  ForbiddenOrigin: "forbidden_origin",
  UnsupportedMediaType: "unsupported_media_type",
  TooManyRequests: "too_many_requests",
  Internal: "internal_error",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_request: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  invalid_signature: 401,
  invalid_event_key: 401,
  run_not_found: 404,
  event_not_found: 404,
  function_not_found: 404,
  app_not_found: 404,
  route_not_found: 404,
  stale_dispatch: 409,
  conflict: 409,
  invalid_expression: 400,
  reserved_event_name: 400,
  forbidden_origin: 403,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal_error: 500,
};

export class IngotError extends Error {
  override readonly name: string = "IngotError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.details = options?.details;
  }
}

export const isIngotError = (error: unknown): error is IngotError => error instanceof IngotError;

/** A serialized error in the shape the SDK produces and accepts (spec §3.3, §4.2). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  [key: string]: unknown;
}
