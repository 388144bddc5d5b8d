import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * All configuration of the chat app and of `npm start`, resolved once from the environment.
 * This is the only module that reads environment variables; everything else receives a
 * `ChatConfig` (STYLE.md §7). Pass a plain object in tests.
 */

/** Where a chat model comes from. `sim` is the offline simulator started in-process. */
export const ProviderId = {
  openrouter: "openrouter",
  openai: "openai",
  anthropic: "anthropic",
  gemini: "gemini",
  xai: "xai",
  deepseek: "deepseek",
  openaiCompatible: "openai-compatible",
  sim: "sim",
} as const;
export type ProviderId = (typeof ProviderId)[keyof typeof ProviderId];

/** The wire format of the chat endpoint, as `@inngest/ai` and Ingot's gateway name it. */
export type WireFormat = "openai-chat" | "anthropic" | "gemini";

export interface ProviderConfig {
  id: ProviderId;
  model: string;
  /** Never logged; travels to Ingot inside the `step.ai.infer` op (split off before storage). */
  apiKey: string;
  /** Ends with `/`. Empty for `sim` until the simulator is listening. */
  baseUrl: string;
  format: WireFormat;
  /** Extra request headers (OpenRouter's `HTTP-Referer` / `X-Title`). */
  headers: Record<string, string>;
  /** Embeddings model when the provider has an embeddings API, else undefined. */
  embeddingModel: string | undefined;
}

export interface ChatConfig {
  host: string;
  port: number;
  /** URL Ingot calls for the serve handler; undefined: derived from the listening address. */
  serveUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  ingot: {
    url: string;
    /** Base of the dashboard links shown in the UI. */
    publicUrl: string;
    signingKey: string | undefined;
    eventKey: string | undefined;
    /** Ask Ingot to sync this app at boot (`POST /v1/apps`). */
    sync: boolean;
  };
  provider: ProviderConfig;
  sim: { chunkDelayMs: number; latencyMs: number };
  embeddings: { enabled: boolean; dimensions: number };
  rateLimit: { perMinute: number; trustProxy: boolean };
  limits: { maxQueryChars: number; maxTokens: number; maxDocumentBytes: number };
  /** Attempts after the first, for the durable function and its model call. */
  retries: number;
  historyMessages: number;
  topK: number;
  corpus: { enabled: boolean; root: string };
  logLevel: LogLevel;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface StartConfig {
  chat: ChatConfig;
  ingotPort: number;
  ingotDataDir: string;
  ingotBin: string;
  /** Set when `INGOT_URL` points at a server that is already running: then none is spawned. */
  externalIngot: boolean;
  /** Level of the spawned Ingot's log, passed through to the console. */
  ingotLogLevel: string;
}

type Env = Record<string, string | undefined>;

/** `examples/chat/src` and `examples/chat/dist` both sit three levels below the repository. */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const DEFAULT_MODELS: Record<ProviderId, string> = {
  openrouter: "google/gemini-3-flash-preview",
  openai: "gpt-4o-mini",
  anthropic: "claude-haiku-4-5",
  gemini: "gemini-2.5-flash",
  xai: "grok-3-mini",
  deepseek: "deepseek-chat",
  "openai-compatible": "llama3.2",
  sim: "sim-echo",
};

const DEFAULT_BASE_URLS: Record<ProviderId, string> = {
  openrouter: "https://openrouter.ai/api/v1/",
  openai: "https://api.openai.com/v1/",
  anthropic: "https://api.anthropic.com/v1/",
  gemini: "https://generativelanguage.googleapis.com/v1beta/",
  xai: "https://api.x.ai/v1/",
  deepseek: "https://api.deepseek.com/v1/",
  "openai-compatible": "http://127.0.0.1:11434/v1/",
  sim: "",
};

/** Embeddings models used when embeddings are on; providers without an embeddings API: none. */
const DEFAULT_EMBEDDING_MODELS: Partial<Record<ProviderId, string>> = {
  openrouter: "openai/text-embedding-3-small",
  openai: "text-embedding-3-small",
  gemini: "gemini-embedding-001",
  sim: "sim-embed",
};

const FORMATS: Record<ProviderId, WireFormat> = {
  openrouter: "openai-chat",
  openai: "openai-chat",
  anthropic: "anthropic",
  gemini: "gemini",
  xai: "openai-chat",
  deepseek: "openai-chat",
  "openai-compatible": "openai-chat",
  sim: "openai-chat",
};

/** Env prefix of each provider's `<P>_API_KEY`, `<P>_MODEL` and `<P>_BASE_URL`. */
const PREFIX: Record<Exclude<ProviderId, "sim" | "openai-compatible">, string> = {
  openrouter: "OPENROUTER",
  openai: "OPENAI",
  anthropic: "ANTHROPIC",
  gemini: "GEMINI",
  xai: "XAI",
  deepseek: "DEEPSEEK",
};

/** The order of the issue: the first provider with a key wins. */
const KEYED_ORDER = ["openrouter", "openai", "anthropic", "gemini", "xai", "deepseek"] as const;

export class ConfigError extends Error {
  override name = "ConfigError";
}

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/u, `${name}: expected a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name}: at least ${min}`).max(max, `${name}: at most ${max}`));

const flag = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(
      z.enum(
        ["1", "0", "true", "false", "on", "off", "yes", "no"],
        `${name}: expected true or false`,
      ),
    )
    .transform((v) => ["1", "true", "on", "yes"].includes(v));

const url = (name: string) =>
  z
    .string()
    .trim()
    .pipe(z.url(`${name}: expected a URL`));

function read<T>(env: Env, name: string, schema: z.ZodType<T>, fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues[0]?.message ?? `${name}: invalid`);
  return parsed.data;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

const withSlash = (base: string): string => (base.endsWith("/") ? base : `${base}/`);

function providerFor(env: Env, id: ProviderId): ProviderConfig {
  const prefix = id === "sim" ? undefined : id === "openai-compatible" ? "OPENAI" : PREFIX[id];
  const at = (suffix: string) => (prefix ? nonEmpty(env, `${prefix}_${suffix}`) : undefined);
  const baseUrl = at("BASE_URL");
  if (baseUrl !== undefined) read(env, `${prefix}_BASE_URL`, url(`${prefix}_BASE_URL`), "");
  const headers: Record<string, string> = {};
  if (id === "openrouter") {
    const site = nonEmpty(env, "OPENROUTER_SITE_URL");
    if (site) headers["HTTP-Referer"] = site;
    headers["X-Title"] = nonEmpty(env, "OPENROUTER_APP_NAME") ?? "Ingot Chat";
  }
  // An OpenAI key with a custom base URL is an OpenAI-compatible server that wants a key.
  const effective: ProviderId =
    id === "openai" && baseUrl !== undefined && !baseUrl.includes("api.openai.com")
      ? "openai-compatible"
      : id;
  return {
    id: effective,
    model: at("MODEL") ?? DEFAULT_MODELS[id],
    apiKey: id === "sim" ? "sk-sim" : (at("API_KEY") ?? ""),
    baseUrl: id === "sim" ? "" : withSlash(baseUrl ?? DEFAULT_BASE_URLS[id]),
    format: FORMATS[id],
    headers,
    embeddingModel: nonEmpty(env, "CHAT_EMBEDDING_MODEL") ?? DEFAULT_EMBEDDING_MODELS[effective],
  };
}

/** `CHAT_PROVIDER` wins; then the first key in the issue's order; then an OpenAI-compatible URL. */
function chooseProvider(env: Env): ProviderConfig {
  const forced = nonEmpty(env, "CHAT_PROVIDER");
  if (forced !== undefined) {
    const parsed = z.enum(ProviderId).safeParse(forced);
    if (!parsed.success)
      throw new ConfigError(
        `CHAT_PROVIDER: expected one of ${Object.values(ProviderId).join(", ")}, got "${forced}"`,
      );
    return providerFor(env, parsed.data);
  }
  for (const id of KEYED_ORDER) {
    if (nonEmpty(env, `${PREFIX[id]}_API_KEY`) !== undefined) return providerFor(env, id);
  }
  if (nonEmpty(env, "OPENAI_BASE_URL") !== undefined)
    return providerFor(env, ProviderId.openaiCompatible);
  return providerFor(env, ProviderId.sim);
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

export function loadChatConfig(env: Env): ChatConfig {
  const provider = chooseProvider(env);
  const port = read(env, "PORT", int("PORT", 0, 65535), 3000);
  const host = nonEmpty(env, "CHAT_HOST") ?? "127.0.0.1";
  const ingotPort = read(env, "INGOT_PORT", int("INGOT_PORT", 1, 65535), 8288);
  const ingotUrl = read(env, "INGOT_URL", url("INGOT_URL"), `http://127.0.0.1:${ingotPort}`);
  const embeddingsMode = read(
    env,
    "CHAT_EMBEDDINGS",
    z.enum(["auto", "on", "off"], "CHAT_EMBEDDINGS: expected auto, on or off"),
    "auto",
  );
  if (embeddingsMode === "on" && provider.embeddingModel === undefined)
    throw new ConfigError(
      `CHAT_EMBEDDINGS=on, but ${provider.id} has no embeddings API; set CHAT_EMBEDDING_MODEL or use lexical retrieval (CHAT_EMBEDDINGS=off)`,
    );
  return {
    host,
    port,
    serveUrl: nonEmpty(env, "CHAT_SERVE_URL")
      ? read(env, "CHAT_SERVE_URL", url("CHAT_SERVE_URL"), "")
      : undefined,
    dataDir: absolute(nonEmpty(env, "CHAT_DATA_DIR") ?? ".chat"),
    databaseUrl: nonEmpty(env, "DATABASE_URL"),
    ingot: {
      url: ingotUrl.replace(/\/+$/u, ""),
      publicUrl: read(env, "INGOT_PUBLIC_URL", url("INGOT_PUBLIC_URL"), ingotUrl).replace(
        /\/+$/u,
        "",
      ),
      signingKey: nonEmpty(env, "INGOT_SIGNING_KEY"),
      eventKey: nonEmpty(env, "INGOT_EVENT_KEY")?.split(",")[0]?.trim(),
      sync: read(env, "CHAT_SYNC", flag("CHAT_SYNC"), true),
    },
    provider,
    sim: {
      chunkDelayMs: read(
        env,
        "CHAT_SIM_CHUNK_DELAY_MS",
        int("CHAT_SIM_CHUNK_DELAY_MS", 0, 5000),
        // 50 words a second, about a hosted model's pace: streaming is visible, answers quick.
        20,
      ),
      latencyMs: read(env, "CHAT_SIM_LATENCY_MS", int("CHAT_SIM_LATENCY_MS", 0, 60_000), 100),
    },
    embeddings: {
      // Auto: real providers with an embeddings API; the offline simulator stays lexical.
      enabled:
        embeddingsMode === "on" ||
        (embeddingsMode === "auto" &&
          provider.id !== "sim" &&
          provider.id !== "openai-compatible" &&
          provider.embeddingModel !== undefined),
      dimensions: read(
        env,
        "CHAT_EMBEDDING_DIMENSIONS",
        int("CHAT_EMBEDDING_DIMENSIONS", 8, 4096),
        512,
      ),
    },
    rateLimit: {
      perMinute: read(env, "CHAT_RATE_LIMIT", int("CHAT_RATE_LIMIT", 0, 1_000_000), 30),
      trustProxy: read(env, "CHAT_TRUST_PROXY", flag("CHAT_TRUST_PROXY"), false),
    },
    limits: {
      maxQueryChars: read(
        env,
        "CHAT_MAX_QUERY_CHARS",
        int("CHAT_MAX_QUERY_CHARS", 1, 100_000),
        4000,
      ),
      maxTokens: 8192,
      maxDocumentBytes: read(
        env,
        "CHAT_MAX_DOCUMENT_BYTES",
        int("CHAT_MAX_DOCUMENT_BYTES", 1, 50_000_000),
        2_000_000,
      ),
    },
    retries: read(env, "CHAT_RETRIES", int("CHAT_RETRIES", 0, 20), 3),
    historyMessages: read(env, "CHAT_HISTORY_MESSAGES", int("CHAT_HISTORY_MESSAGES", 0, 200), 10),
    topK: read(env, "CHAT_TOP_K", int("CHAT_TOP_K", 1, 20), 4),
    corpus: {
      enabled: read(env, "CHAT_CORPUS", flag("CHAT_CORPUS"), true),
      root: absolute(nonEmpty(env, "CHAT_CORPUS_ROOT") ?? REPO_ROOT),
    },
    logLevel: read(
      env,
      "CHAT_LOG_LEVEL",
      z.enum(
        ["debug", "info", "warn", "error", "silent"],
        "CHAT_LOG_LEVEL: expected debug, info, warn, error or silent",
      ),
      "info",
    ),
  };
}

export function loadStartConfig(env: Env): StartConfig {
  const chat = loadChatConfig(env);
  return {
    chat,
    ingotPort: read(env, "INGOT_PORT", int("INGOT_PORT", 1, 65535), 8288),
    ingotDataDir: absolute(nonEmpty(env, "INGOT_DATA_DIR") ?? ".ingot"),
    ingotBin: absolute(
      nonEmpty(env, "INGOT_BIN") ?? resolve(REPO_ROOT, "packages/cli/dist/bin.js"),
    ),
    externalIngot: nonEmpty(env, "INGOT_URL") !== undefined,
    // The demo's console shows the URLs, not a request log; INGOT_LOG_LEVEL=info brings it back.
    ingotLogLevel: nonEmpty(env, "INGOT_LOG_LEVEL") ?? "warn",
  };
}

/** The process environment, read here and nowhere else. */
export function processEnv(): Env {
  return process.env;
}
