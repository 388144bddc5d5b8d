import { parseDurationMs } from "@ingot/protocol";
import type { ServerConfig } from "./config.js";

/**
 * Every setting a user can give, in one table: its flag, its environment variable, what it means.
 * It drives the environment parser (`config.ts`), the CLI's flag parser and `ingot --help`, and
 * the README's configuration table (a test keeps that one in sync). Adding a setting is one entry
 * here plus its field in `ServerConfig` and `defaultConfig`; defaults shown to users are read
 * from `defaultConfig`, so they cannot drift.
 */
export type SettingKind =
  /** Text as given. */
  | "string"
  /** A whole number. */
  | "integer"
  /** Flag: present = on. Environment: 1/true/yes/on or 0/false/no/off. */
  | "boolean"
  /** Flag: repeatable. Environment: a comma-separated list. */
  | "list"
  /** Environment only: `name=value,name=value`. */
  | "pairs"
  /** A duration in the SDK's syntax (`7d`, `36h`, `1w2d`, at least `1s`) or `off`; held in ms, 0 = off. */
  | "duration";

export interface Setting {
  key: keyof ServerConfig;
  kind: SettingKind;
  /** Long flag without dashes. A `no-` flag of a boolean sets it to false. */
  flag?: string;
  short?: string;
  /** Other long flags accepted for the same setting (e.g. inngest-cli's `--sdk-url`). */
  aliases?: readonly string[];
  env?: string;
  /** Placeholder in help: `--port PORT`. */
  arg?: string;
  /** Default as users should read it, where the config value does not read well. */
  shown?: string;
  /** `start` refuses to run without it. */
  requiredInStart?: true;
  /** A key or password: users should give it by environment, since flags show in `ps`. */
  secret?: true;
  meaning: string;
}

// One line per setting (prettier would spread each over eight).
// prettier-ignore
export const SETTINGS: readonly Setting[] = [
  { key: "appUrls", kind: "list", flag: "url", short: "u", aliases: ["sdk-url"], arg: "URL", meaning: "app serve URL to sync and keep re-syncing, e.g. http://127.0.0.1:3000/api/inngest" },
  { key: "port", kind: "integer", flag: "port", short: "p", env: "INGOT_PORT", arg: "PORT", meaning: "port to listen on" },
  { key: "host", kind: "string", flag: "host", env: "INGOT_HOST", arg: "HOST", meaning: "interface to bind; anything but loopback exposes the API (see docs/operations.md)" },
  { key: "dataDir", kind: "string", flag: "data-dir", env: "INGOT_DATA_DIR", arg: "DIR", shown: "./.ingot", meaning: "where the SQLite database lives" },
  { key: "discovery", kind: "boolean", flag: "no-discovery", shown: "discovery on in dev", meaning: "dev: do not probe well-known local ports for apps" },
  { key: "postgresUri", kind: "string", flag: "postgres-uri", env: "INGOT_POSTGRES_URI", arg: "URI", secret: true, meaning: "keep state in Postgres instead of SQLite (several nodes may share it)" },
  { key: "postgresPoolSize", kind: "integer", env: "INGOT_POSTGRES_POOL_SIZE", meaning: "connections each node keeps to Postgres" },
  { key: "signingKey", kind: "string", flag: "signing-key", env: "INGOT_SIGNING_KEY", arg: "KEY", requiredInStart: true, secret: true, meaning: "signs requests to apps; bearer key of the API; dashboard token unless one is set" },
  { key: "signingKeyFallback", kind: "string", flag: "signing-key-fallback", env: "INGOT_SIGNING_KEY_FALLBACK", arg: "KEY", secret: true, meaning: "previous signing key, still accepted while rotating" },
  { key: "eventKeys", kind: "list", flag: "event-key", env: "INGOT_EVENT_KEY", arg: "KEY", requiredInStart: true, secret: true, meaning: "keys accepted on /e/:key" },
  { key: "dashboardToken", kind: "string", flag: "dashboard-token", env: "INGOT_DASHBOARD_TOKEN", arg: "TOKEN", shown: "the signing key", secret: true, meaning: "start: what the dashboard asks for at sign-in (16 characters or more)" },
  { key: "retryBaseMs", kind: "integer", flag: "retry-base-ms", env: "INGOT_RETRY_BASE_MS", arg: "MS", meaning: "first retry delay; doubles per attempt up to 10 min" },
  { key: "appConcurrency", kind: "integer", flag: "app-concurrency", env: "INGOT_APP_CONCURRENCY", arg: "N", meaning: "requests in flight to one app; more wait, first queued first served. Raise it for apps whose steps mostly wait on I/O" },
  { key: "requestTimeoutMs", kind: "integer", flag: "app-request-timeout-ms", env: "INGOT_APP_REQUEST_TIMEOUT_MS", arg: "MS", meaning: "longest an app may take to answer one request; then the attempt fails and is retried" },
  { key: "appMaxResponseBytes", kind: "integer", flag: "app-max-response-bytes", env: "INGOT_APP_MAX_RESPONSE_BYTES", arg: "BYTES", meaning: "largest answer read from an app (32 MiB); a larger one fails the attempt" },
  { key: "sdkConcurrency", kind: "integer", env: "INGOT_SDK_CONCURRENCY", meaning: "requests in flight to all apps together" },
  { key: "logLevel", kind: "string", flag: "log-level", env: "INGOT_LOG_LEVEL", arg: "LEVEL", meaning: "fatal, error, warn, info, debug, trace or silent; logs go to stderr" },
  { key: "syncIntervalMs", kind: "integer", env: "INGOT_SYNC_INTERVAL_MS", meaning: "how often -u apps are re-synced" },
  { key: "leaseMs", kind: "integer", env: "INGOT_LEASE_MS", meaning: "lease on a claimed queue item, renewed every third of it; another node takes the item over once it expires" },
  { key: "retentionMs", kind: "duration", flag: "retention", env: "INGOT_RETENTION", arg: "DURATION", shown: "off (keep everything)", meaning: "delete finished runs (steps, history, AI calls) and events older than this, e.g. 7d, 36h or 90m (see docs/operations.md, Retention)" },
  { key: "traceRuns", kind: "integer", env: "INGOT_TRACE_RUNS", shown: "0 (off)", meaning: "keep a phase-by-phase timeline of the last n runs: GET /v1/runs/:id/trace" },
  { key: "maxBodyBytes", kind: "integer", env: "INGOT_MAX_BODY_BYTES", meaning: "largest request body on /e/ and /fn/register" },
  { key: "inlineStateBytes", kind: "integer", env: "INGOT_INLINE_STATE_BYTES", meaning: "above this a request hands state over via use_api" },
  { key: "checkpointing", kind: "boolean", env: "INGOT_CHECKPOINTING", meaning: "let v4 SDKs run several steps per request" },
  { key: "sqliteSynchronous", kind: "string", env: "INGOT_SQLITE_SYNCHRONOUS", meaning: "normal: survives process crashes, not power loss; faster" },
  { key: "aiTimeoutMs", kind: "integer", flag: "ai-timeout-ms", env: "INGOT_AI_TIMEOUT_MS", arg: "MS", meaning: "deadline of one AI provider call attempt" },
  { key: "aiAllowHosts", kind: "list", flag: "ai-allow-host", env: "INGOT_AI_ALLOW_HOSTS", arg: "HOST", shown: "public provider APIs", meaning: "start: hosts step.ai.infer may call (* wildcards)" },
  { key: "aiAllowPrivate", kind: "boolean", flag: "ai-allow-private", env: "INGOT_AI_ALLOW_PRIVATE", meaning: "let the AI gateway reach private and loopback addresses" },
  { key: "trustProxy", kind: "boolean", flag: "trust-proxy", env: "INGOT_TRUST_PROXY", meaning: "believe X-Forwarded-For, -Proto and -Host from a reverse proxy in front of Ingot (sign-in throttling per client, Secure cookies)" },
  { key: "providerKeys", kind: "pairs", env: "INGOT_AI_KEYS", secret: true, meaning: "keys Ingot holds per provider (openai=sk-…,anthropic=…), used when a call carries none" },
];

/** `--flag` as users type it (`-u, --url`). */
export function flagLabel(setting: Setting): string | undefined {
  if (setting.flag === undefined) return undefined;
  return setting.short ? `-${setting.short}, --${setting.flag}` : `--${setting.flag}`;
}

export class SettingError extends Error {
  override readonly name = "SettingError";
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/** Parses an environment variable's text; `undefined` when it is unset or empty. */
export function parseEnvValue(setting: Setting, text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return undefined;
  const name = setting.env ?? setting.key;
  const value = text.trim();
  switch (setting.kind) {
    case "string":
      return value;
    case "integer":
      return integer(name, value);
    case "boolean":
      if (TRUE.has(value.toLowerCase())) return true;
      if (FALSE.has(value.toLowerCase())) return false;
      throw new SettingError(`${name} expects 1/true/yes/on or 0/false/no/off, got "${value}"`);
    case "list": {
      const items = value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
      return items.length > 0 ? items : undefined;
    }
    case "pairs": {
      const pairs = parsePairs(value);
      return Object.keys(pairs).length > 0 ? pairs : undefined;
    }
    case "duration":
      return parseDuration(name, value);
  }
}

/** Parses what the CLI's parser gave for a flag (a string, strings, or true for a switch). */
export function parseFlagValue(setting: Setting, given: string | boolean | string[]): unknown {
  const name = `--${setting.flag ?? setting.key}`;
  if (setting.kind === "boolean") return setting.flag?.startsWith("no-") ? !given : Boolean(given);
  if (setting.kind === "list") return Array.isArray(given) ? given : [String(given)];
  const text = Array.isArray(given) ? (given.at(-1) ?? "") : String(given);
  if (setting.kind === "duration") return parseDuration(name, text);
  return setting.kind === "integer" ? integer(name, text) : text;
}

/**
 * The shortest duration a `duration` setting takes. Only tests and demos want seconds of
 * retention; below a second, a run could be gone before a client polling for it sees it end.
 */
export const MIN_DURATION_MS = 1_000;

/** `7d`, `36h`, `90m`, `1w2d` (the SDK's duration syntax) → ms; `off` → 0. */
export function parseDuration(name: string, text: string): number {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === "off") return 0;
  const ms = parseDurationMs(trimmed);
  if (ms === undefined || ms < MIN_DURATION_MS) {
    throw new SettingError(
      `${name}: expected a duration of at least 1s such as 7d, 36h or 90m, or "off"; got "${text}"`,
    );
  }
  return ms;
}

function integer(name: string, text: string): number {
  const parsed = Number(text);
  if (text.trim() === "" || !Number.isInteger(parsed))
    throw new SettingError(`${name} expects an integer, got "${text}"`);
  return parsed;
}

/** `openai=sk-…,anthropic=sk-ant-…` → `{openai: "sk-…", anthropic: "sk-ant-…"}` */
export function parsePairs(text: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const entry of text?.split(",") ?? []) {
    const at = entry.indexOf("=");
    if (at <= 0) continue;
    const name = entry.slice(0, at).trim().toLowerCase();
    const value = entry.slice(at + 1).trim();
    if (name !== "" && value !== "") pairs[name] = value;
  }
  return pairs;
}
