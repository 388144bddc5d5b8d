import type { CallContext, ErrorSpec, Profile } from "../context.js";
import { isObject, type JsonObject } from "../json.js";
import { Dialect } from "../types.js";
import { headerKey } from "./auth.js";

/** Gemini auth and the google.rpc error shape (spec §3.7). */

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  408: "DEADLINE_EXCEEDED",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const MESSAGES: Record<number, string> = {
  429: "You exceeded your current quota, please check your plan and billing details.",
  500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  503: "The model is overloaded. Please try again later.",
  504: "The request timed out. Please try again.",
};

const API_KEY_INVALID = "API key not valid. Please pass a valid API key.";

const TYPE_PREFIX = "type.googleapis.com/google.rpc.";

function details(spec: ErrorSpec): JsonObject[] {
  const out: JsonObject[] = [];
  if (spec.reason) {
    out.push({
      "@type": `${TYPE_PREFIX}ErrorInfo`,
      reason: spec.reason,
      domain: "googleapis.com",
      metadata: { service: "generativelanguage.googleapis.com" },
    });
  }
  if (spec.status === 429) {
    out.push({
      "@type": `${TYPE_PREFIX}QuotaFailure`,
      violations: [
        {
          quotaMetric: "generativelanguage.googleapis.com/generate_content_requests",
          quotaId: "GenerateRequestsPerMinutePerProjectPerModel",
        },
      ],
    });
  }
  if (spec.retryAfter !== undefined) {
    out.push({ "@type": `${TYPE_PREFIX}RetryInfo`, retryDelay: `${Math.ceil(spec.retryAfter)}s` });
  }
  return out;
}

function authenticate(ctx: CallContext): ErrorSpec | undefined {
  // The adapters put `?key=` in the URL and Inngest appends it again; the first one counts.
  const key = ctx.url.searchParams.get("key") || headerKey(ctx.headers, "x-goog-api-key");
  if (!key) {
    return {
      status: 403,
      message:
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    };
  }
  if (ctx.isValidKey(key)) return undefined;
  return { status: 400, message: API_KEY_INVALID, reason: "API_KEY_INVALID" };
}

export function geminiErrorBody(spec: ErrorSpec): JsonObject {
  const list = details(spec);
  return {
    error: {
      code: spec.status,
      message:
        spec.message ?? MESSAGES[spec.status] ?? `Request failed with status ${spec.status}.`,
      status:
        spec.type ??
        STATUS_NAMES[spec.status] ??
        (spec.status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
      ...(list.length > 0 ? { details: list } : {}),
    },
  };
}

export const geminiProfile: Profile = {
  dialect: Dialect.gemini,
  authenticate,
  errorBody: geminiErrorBody,
  invalidJson: (message) => ({
    status: 400,
    message: `Invalid JSON payload received. ${message}`,
  }),
  modelNotFound: (model) => ({
    status: 404,
    message: `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
  }),
  headers: () => ({}),
};

/** Reads a field under its camelCase or snake_case name (proto3 JSON accepts both). */
export function field(o: JsonObject | undefined, camel: string): unknown {
  if (!o) return undefined;
  if (camel in o) return o[camel];
  return o[camel.replace(/[A-Z]/gu, (c) => `_${c.toLowerCase()}`)];
}

export function fieldObj(o: JsonObject | undefined, camel: string): JsonObject | undefined {
  const value = field(o, camel);
  return isObject(value) ? value : undefined;
}

export function fieldArr(o: JsonObject | undefined, camel: string): unknown[] | undefined {
  const value = field(o, camel);
  return Array.isArray(value) ? value : undefined;
}
