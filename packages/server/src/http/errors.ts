import { ErrorCode, IngotError, isIngotError } from "@ingot/protocol";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../logger.js";

/** A request path fit for a log: `/e/<event key>` loses its key. */
export function loggablePath(path: string): string {
  return path.replace(/^\/e\/[^/]*/, "/e/[redacted]");
}

/** The one place errors become HTTP responses. */
export function errorResponse(c: Context, cause: unknown, logger: Logger): Response {
  // Hono decodes path parameters lazily; a bad `%` escape is the client's mistake.
  const error =
    cause instanceof URIError
      ? new IngotError(
          ErrorCode.InvalidRequest,
          "the request path has an invalid percent-encoding (a % must be followed by two hex digits of UTF-8)",
          { cause },
        )
      : cause;
  if (isIngotError(error)) {
    const status = error.status as ContentfulStatusCode;
    const path = c.req.path;
    if (error.code === ErrorCode.TooManyRequests) {
      const details = error.details as { retryAfterSeconds?: unknown } | undefined;
      if (typeof details?.retryAfterSeconds === "number")
        c.header("retry-after", String(details.retryAfterSeconds));
    }
    if (path.startsWith("/e/") || path === "/e") {
      // The SDK reads `{ids, status, error}` from the event API (spec §2.2).
      return c.json(
        { ids: [], status: error.status, error: error.message, code: error.code },
        status,
      );
    }
    if (path === "/fn/register") {
      return c.json({ error: error.message, status: error.status, code: error.code }, status);
    }
    return c.json({ error: error.message, code: error.code }, status);
  }
  logger.error({ err: error, path: loggablePath(c.req.path) }, "request failed");
  return c.json({ error: "internal error; see the server log", code: "internal_error" }, 500);
}
