import { Dialect, Endpoint } from "./types.js";

export interface Route {
  dialect: Dialect;
  endpoint: Endpoint;
  method: "GET" | "POST";
  /** Gemini model or Azure deployment from the path. */
  pathModel: string | undefined;
}

interface RouteDef {
  method: "GET" | "POST";
  pattern: RegExp;
  build: (m: RegExpExecArray) => Omit<Route, "method">;
}

// Regexes rather than a `:param` router: Gemini paths contain `:` (`models/x:generateContent`).
const OPENAI_PREFIX = "^/(?:(openai|xai|deepseek|ollama)/)?v1";

function openaiDialect(prefix: string | undefined): Dialect {
  return Object.values(Dialect).find((d) => d === prefix) ?? Dialect.openai;
}

function openai(suffix: string, endpoint: Endpoint, method: "GET" | "POST"): RouteDef {
  return {
    method,
    pattern: new RegExp(`${OPENAI_PREFIX}/${suffix}$`, "u"),
    build: (m) => ({ dialect: openaiDialect(m[1]), endpoint, pathModel: undefined }),
  };
}

function fixed(
  method: "GET" | "POST",
  pattern: RegExp,
  dialect: Dialect,
  endpoint: Endpoint,
): RouteDef {
  return { method, pattern, build: () => ({ dialect, endpoint, pathModel: undefined }) };
}

const GEMINI_ENDPOINTS = [
  Endpoint.generateContent,
  Endpoint.streamGenerateContent,
  Endpoint.embedContent,
  Endpoint.batchEmbedContents,
] as const;

const ROUTES: readonly RouteDef[] = [
  openai("chat/completions", Endpoint.chat, "POST"),
  openai("responses", Endpoint.responses, "POST"),
  openai("embeddings", Endpoint.embeddings, "POST"),
  openai("models", Endpoint.models, "GET"),
  fixed(
    "POST",
    /^\/(?:openrouter\/)?api\/v1\/chat\/completions$/u,
    Dialect.openrouter,
    Endpoint.chat,
  ),
  fixed(
    "POST",
    /^\/(?:openrouter\/)?api\/v1\/embeddings$/u,
    Dialect.openrouter,
    Endpoint.embeddings,
  ),
  fixed("GET", /^\/(?:openrouter\/)?api\/v1\/models$/u, Dialect.openrouter, Endpoint.models),
  {
    method: "POST",
    pattern: /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/u,
    build: (m) => ({
      dialect: Dialect.azure,
      endpoint: m[2] === "embeddings" ? Endpoint.embeddings : Endpoint.chat,
      pathModel: decodeURIComponent(m[1] ?? ""),
    }),
  },
  fixed("POST", /^\/(?:anthropic\/)?v1\/messages$/u, Dialect.anthropic, Endpoint.messages),
  fixed("GET", /^\/(?:anthropic\/)?v1\/models$/u, Dialect.anthropic, Endpoint.models),
  {
    method: "POST",
    pattern: /^\/(?:gemini\/)?v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/u,
    build: (m) => ({
      dialect: Dialect.gemini,
      endpoint: GEMINI_ENDPOINTS.find((e) => e === m[2]) ?? Endpoint.generateContent,
      pathModel: decodeURIComponent(m[1] ?? ""),
    }),
  },
  fixed("GET", /^\/(?:gemini\/)?v1(?:beta|alpha)?\/models$/u, Dialect.gemini, Endpoint.models),
];

export type RouteMatch =
  | { kind: "found"; route: Route }
  /** The path belongs to a dialect but not with this method (or Gemini verb). */
  | { kind: "wrong-method"; dialect: Dialect }
  | { kind: "none" };

export function matchRoute(method: string, path: string): RouteMatch {
  let wrong: Dialect | undefined;
  for (const def of ROUTES) {
    const m = def.pattern.exec(path);
    if (!m) continue;
    const route = def.build(m);
    const verbOk =
      route.dialect !== Dialect.gemini ||
      route.endpoint === Endpoint.models ||
      GEMINI_ENDPOINTS.some((e) => e === m[2]);
    if (def.method === method && verbOk) {
      return { kind: "found", route: { ...route, method: def.method } };
    }
    wrong ??= route.dialect;
  }
  return wrong === undefined ? { kind: "none" } : { kind: "wrong-method", dialect: wrong };
}

/** Best guess of the dialect for an unknown path, so its 404 has the right shape. */
export function guessDialect(path: string): Dialect {
  if (path.includes("v1beta") || path.startsWith("/gemini/")) return Dialect.gemini;
  if (path.startsWith("/anthropic/") || path.includes("/messages")) return Dialect.anthropic;
  if (path.startsWith("/api/v1")) return Dialect.openrouter;
  return Dialect.openai;
}

/**
 * `GET /v1/models` is both OpenAI's and Anthropic's model list; the Anthropic SDK always sends
 * `anthropic-version`, which OpenAI clients never do.
 */
export function refineRoute(route: Route, headers: Record<string, string>): Route {
  if (
    route.endpoint === Endpoint.models &&
    route.dialect === Dialect.openai &&
    "anthropic-version" in headers
  ) {
    return { ...route, dialect: Dialect.anthropic };
  }
  return route;
}
