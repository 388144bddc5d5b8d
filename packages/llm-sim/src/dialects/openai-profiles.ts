import { pad, type CallContext, type ErrorSpec, type Profile } from "../context.js";
import { Dialect } from "../types.js";
import { bearerToken, headerKey, maskKey } from "./auth.js";

/**
 * Auth, error shapes and headers of OpenAI and the OpenAI-compatible providers (spec §3.1,
 * §3.4, §3.5). The chat, responses and embeddings endpoints are shared; only these differ.
 */

const OPENAI_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: "invalid_request_error", code: null, message: "Invalid request." },
  401: {
    type: "invalid_request_error",
    code: "invalid_api_key",
    message: "Incorrect API key provided.",
  },
  403: {
    type: "invalid_request_error",
    code: "unsupported_country_region_territory",
    message: "Country, region, or territory not supported",
  },
  404: { type: "invalid_request_error", code: null, message: "Not found." },
  409: { type: "invalid_request_error", code: null, message: "Conflict." },
  422: { type: "invalid_request_error", code: null, message: "Unprocessable entity." },
  429: {
    type: "requests",
    code: "rate_limit_exceeded",
    message:
      "Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again later.",
  },
  500: {
    type: "server_error",
    code: null,
    message:
      "The server had an error while processing your request. Sorry about that! You can retry your request.",
  },
  502: { type: "server_error", code: null, message: "Bad gateway." },
  503: { type: "server_error", code: null, message: "The server is overloaded or not ready yet." },
  504: { type: "server_error", code: null, message: "Gateway timeout." },
};

function openaiDefaults(status: number): { type: string; code: string | null; message: string } {
  return (
    OPENAI_DEFAULTS[status] ?? {
      type: status >= 500 ? "server_error" : "invalid_request_error",
      code: null,
      message: `Request failed with status ${status}.`,
    }
  );
}

function openaiErrorBody(spec: ErrorSpec): unknown {
  const d = openaiDefaults(spec.status);
  return {
    error: {
      message: spec.message ?? d.message,
      type: spec.type ?? d.type,
      param: spec.param ?? null,
      // `null` is meaningful: a missing key has `code: null` on the real API.
      code: spec.code !== undefined ? spec.code : d.code,
    },
  };
}

const INVALID_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

const MISSING_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

function bearerAuth(
  ctx: CallContext,
  missing: ErrorSpec,
  wrong: (key: string) => ErrorSpec,
): ErrorSpec | undefined {
  const key = bearerToken(ctx.headers);
  if (key === undefined) return missing;
  return ctx.isValidKey(key) ? undefined : wrong(key);
}

function rateLimitHeaders(ctx: CallContext, status: number): Record<string, string> {
  const limited = status === 429;
  return {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-remaining-requests": limited ? "0" : "9999",
    "x-ratelimit-reset-requests": limited ? "1s" : "6ms",
    "x-ratelimit-limit-tokens": "30000000",
    "x-ratelimit-remaining-tokens": limited ? "0" : "29999000",
    "x-ratelimit-reset-tokens": limited ? "1s" : "2ms",
    "x-request-id": `req_sim${pad(ctx.seq)}`,
  };
}

export const openaiProfile: Profile = {
  dialect: Dialect.openai,
  authenticate: (ctx) =>
    bearerAuth(ctx, { status: 401, message: MISSING_KEY, code: null }, (key) => ({
      status: 401,
      message: `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    })),
  errorBody: openaiErrorBody,
  invalidJson: () => ({ status: 400, message: INVALID_JSON }),
  modelNotFound: (model) => ({
    status: 404,
    code: "model_not_found",
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
  }),
  headers: (ctx, status) => ({
    ...rateLimitHeaders(ctx, status),
    "openai-version": "2020-10-01",
    "openai-organization": "ingot-sim",
    "openai-processing-ms": "1",
  }),
};

const DEEPSEEK_MESSAGES: Record<number, { type: string; message: string }> = {
  400: { type: "invalid_request_error", message: "Invalid request body format." },
  401: { type: "authentication_error", message: "Authentication Fails (no such user)" },
  402: { type: "unknown_error", message: "Insufficient Balance" },
  422: { type: "invalid_request_error", message: "Invalid Parameters" },
  429: { type: "rate_limit_error", message: "Rate Limit Reached" },
  500: { type: "api_error", message: "Server Error" },
  503: { type: "api_error", message: "Server Overloaded" },
};

export const deepseekProfile: Profile = {
  dialect: Dialect.deepseek,
  authenticate: (ctx) =>
    bearerAuth(
      ctx,
      { status: 401, message: "Authentication Fails (auth header format should be Bearer sk-...)" },
      (key) => ({
        status: 401,
        message: `Authentication Fails, Your api key: ****${key.slice(-4)} is invalid`,
      }),
    ),
  errorBody: (spec) => {
    const d = DEEPSEEK_MESSAGES[spec.status] ?? openaiDefaults(spec.status);
    return {
      error: {
        message: spec.message ?? d.message,
        type: spec.type ?? d.type,
        param: spec.param ?? null,
        code: spec.code ?? "invalid_request_error",
      },
    };
  },
  invalidJson: (message) => ({ status: 400, message: `Failed to parse request body: ${message}` }),
  modelNotFound: (model) => ({ status: 400, message: `Model Not Exist: ${model}` }),
  headers: (ctx, status) => rateLimitHeaders(ctx, status),
};

// xAI answers with gRPC-style `{code, error}` strings rather than OpenAI's nested object.
const XAI_CODES: Record<number, string> = {
  400: "Client specified an invalid argument",
  401: "Unauthenticated",
  403: "Permission denied",
  404: "Some requested entity was not found",
  415: "Unsupported media type",
  422: "Client specified an invalid argument",
  429: "Some resource has been exhausted",
  500: "Internal error",
  503: "The service is currently unavailable",
};

export const xaiProfile: Profile = {
  dialect: Dialect.xai,
  // xAI: a missing header is 401, but an incorrect key is 400 (spec §3.5).
  authenticate: (ctx) =>
    bearerAuth(
      ctx,
      { status: 401, message: "No API key provided. Pass it as Authorization: Bearer <key>." },
      (key) => ({
        status: 400,
        message: `Incorrect API key provided: ${maskKey(key)}. You can obtain an API key from https://console.x.ai.`,
      }),
    ),
  errorBody: (spec) => ({
    code: typeof spec.code === "string" ? spec.code : (XAI_CODES[spec.status] ?? "Unknown error"),
    error: spec.message ?? openaiDefaults(spec.status).message,
  }),
  invalidJson: (message) => ({
    status: 400,
    message: `Failed to deserialize the JSON body: ${message}`,
  }),
  modelNotFound: (model) => ({
    status: 404,
    message: `The model ${model} does not exist or your team does not have access to it.`,
  }),
  headers: (ctx) => ({ "x-request-id": `req_sim${pad(ctx.seq)}` }),
};

export const ollamaProfile: Profile = {
  dialect: Dialect.ollama,
  // Ollama ignores the key; clients send one only because their SDK requires it.
  authenticate: () => undefined,
  errorBody: (spec) => ({
    error: {
      message: spec.message ?? openaiDefaults(spec.status).message,
      type: spec.type ?? (spec.status >= 500 ? "api_error" : "invalid_request_error"),
      param: null,
      code: spec.code ?? null,
    },
  }),
  invalidJson: (message) => ({ status: 400, message: `invalid character: ${message}` }),
  modelNotFound: (model) => ({
    status: 404,
    message: `model "${model}" not found, try pulling it first`,
  }),
  headers: () => ({}),
};

const OPENROUTER_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "No auth credentials found",
  402: "Insufficient credits. Add more using https://openrouter.ai/credits",
  403: "Input flagged by moderation",
  408: "Request timed out",
  429: "Rate limit exceeded",
  500: "Internal Server Error",
  502: "Provider returned error",
  503: "No available model provider that meets your routing requirements",
};

export const openrouterProfile: Profile = {
  dialect: Dialect.openrouter,
  authenticate: (ctx) =>
    bearerAuth(ctx, { status: 401, message: "No auth credentials found" }, () => ({
      status: 401,
      message: "User not found.",
    })),
  errorBody: (spec) => ({
    error: {
      code: typeof spec.code === "number" ? spec.code : spec.status,
      message: spec.message ?? OPENROUTER_MESSAGES[spec.status] ?? `Error ${spec.status}`,
      ...(typeof spec.code === "string" ? { metadata: { reason: spec.code } } : {}),
    },
  }),
  invalidJson: () => ({ status: 400, message: "Invalid JSON body" }),
  modelNotFound: (model) => ({ status: 400, message: `${model} is not a valid model ID` }),
  headers: (ctx) => ({ "x-generation-id": `gen-sim-${pad(ctx.seq)}` }),
};

const AZURE_ACCESS_DENIED =
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.";

export const azureProfile: Profile = {
  dialect: Dialect.azure,
  authenticate: (ctx) => {
    // Every deployment route requires `api-version`; without it Azure does not find the route.
    if (!ctx.url.searchParams.get("api-version")) {
      return { status: 404, code: "404", message: "Resource not found" };
    }
    // `api-key` wins; an Entra token in `Authorization: Bearer` is accepted on its own.
    const key = headerKey(ctx.headers, "api-key") ?? bearerToken(ctx.headers);
    if (key !== undefined && ctx.isValidKey(key)) return undefined;
    return { status: 401, code: "401", message: AZURE_ACCESS_DENIED };
  },
  errorBody: (spec) => {
    const d = openaiDefaults(spec.status);
    return {
      error: {
        code: spec.code !== undefined ? spec.code : spec.status === 429 ? "429" : d.code,
        message: spec.message ?? d.message,
        param: spec.param ?? null,
        type: spec.type ?? null,
      },
    };
  },
  invalidJson: (message) => ({
    status: 400,
    code: "BadRequest",
    message: `Invalid JSON: ${message}`,
  }),
  modelNotFound: () => ({
    status: 404,
    code: "DeploymentNotFound",
    message:
      "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
  }),
  headers: (ctx, status) => ({
    ...rateLimitHeaders(ctx, status),
    "apim-request-id": `sim-${pad(ctx.seq)}`,
    "x-ms-region": "Sim Region",
  }),
};
