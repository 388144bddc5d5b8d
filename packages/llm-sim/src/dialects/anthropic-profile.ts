import { pad, type CallContext, type ErrorSpec, type Profile } from "../context.js";
import { Dialect } from "../types.js";
import { bearerToken, headerKey } from "./auth.js";

/** Anthropic auth, error shape and headers (spec §3.6). */

/** The first API version under which keys may come as `Authorization: Bearer`. */
export const BEARER_VERSION = "2026-10-21";

const ERROR_TYPES: Record<number, { type: string; message: string }> = {
  400: { type: "invalid_request_error", message: "Invalid request." },
  401: { type: "authentication_error", message: "invalid x-api-key" },
  402: { type: "billing_error", message: "Your credit balance is too low." },
  403: {
    type: "permission_error",
    message: "Your API key does not have permission to use the specified resource.",
  },
  404: { type: "not_found_error", message: "Not found." },
  409: { type: "conflict_error", message: "Conflict." },
  413: {
    type: "request_too_large",
    message: "Request exceeds the maximum allowed number of bytes.",
  },
  429: {
    type: "rate_limit_error",
    message: "Number of request tokens has exceeded your per-minute rate limit.",
  },
  500: { type: "api_error", message: "Internal server error" },
  504: { type: "timeout_error", message: "Request timed out" },
  529: { type: "overloaded_error", message: "Overloaded" },
};

function defaults(status: number): { type: string; message: string } {
  return (
    ERROR_TYPES[status] ??
    (status >= 500
      ? { type: "api_error", message: "Internal server error" }
      : { type: "invalid_request_error", message: `Request failed with status ${status}.` })
  );
}

/** At or after 2026-10-21 (dates compare as strings). */
export function isBearerVersion(version: string | undefined): boolean {
  return version !== undefined && version >= BEARER_VERSION;
}

function authenticate(ctx: CallContext): ErrorSpec | undefined {
  const version = headerKey(ctx.headers, "anthropic-version");
  // `x-api-key` wins when both are present; Bearer only counts for the new API version.
  const key =
    headerKey(ctx.headers, "x-api-key") ??
    (isBearerVersion(version) ? bearerToken(ctx.headers) : undefined);
  if (key === undefined) return { status: 401, message: "x-api-key header is required" };
  if (!ctx.isValidKey(key)) return { status: 401, message: "invalid x-api-key" };
  if (version === undefined && ctx.requireAnthropicVersion) {
    return {
      status: 400,
      type: "invalid_request_error",
      message: "anthropic-version: header is required",
    };
  }
  return undefined;
}

function headers(ctx: CallContext, status: number): Record<string, string> {
  const reset = new Date(ctx.now + 60_000).toISOString().replace(/\.\d{3}Z$/u, "Z");
  const limited = status === 429;
  const out: Record<string, string> = {
    "request-id": `req_sim${pad(ctx.seq)}`,
    "anthropic-organization-id": "00000000-0000-4000-8000-000000000000",
  };
  const limits = {
    requests: 4000,
    tokens: 2_000_000,
    "input-tokens": 1_600_000,
    "output-tokens": 400_000,
  };
  for (const [name, limit] of Object.entries(limits)) {
    out[`anthropic-ratelimit-${name}-limit`] = String(limit);
    out[`anthropic-ratelimit-${name}-remaining`] = String(limited ? 0 : limit - 1);
    out[`anthropic-ratelimit-${name}-reset`] = reset;
  }
  return out;
}

export const anthropicProfile: Profile = {
  dialect: Dialect.anthropic,
  authenticate,
  errorBody: (spec, ctx) => {
    const d = defaults(spec.status);
    const details =
      spec.code !== undefined && spec.code !== null ? { details: { error_code: spec.code } } : {};
    return {
      type: "error",
      error: { type: spec.type ?? d.type, message: spec.message ?? d.message, ...details },
      request_id: `req_sim${pad(ctx.seq)}`,
    };
  },
  invalidJson: (message) => ({
    status: 400,
    message: `There was an error parsing the body of your request: ${message}`,
  }),
  modelNotFound: (model) => ({ status: 404, message: `model: ${model}` }),
  headers,
};
