import { join } from "node:path";
import { parseDurationMs } from "@ingot/protocol";
import { z } from "zod";
import { dashboardTokenProblem, eventKeyProblem, signingKeyProblem } from "./security/keys.js";
import { DEFAULT_AI_HOSTS } from "./security/net-guard.js";

/**
 * Shortest retention accepted. Only tests and demos want seconds; production values are days.
 * Below a second, a run could be gone before a client polling for its result sees it end.
 */
export const MIN_RETENTION_MS = 1_000;

/**
 * Server configuration, resolved once (defaults < environment < flags), validated, passed down.
 * Only this module reads `process.env` (STYLE.md §7).
 */
export const ServerMode = { Dev: "dev", Start: "start" } as const;
export type ServerMode = (typeof ServerMode)[keyof typeof ServerMode];

export const ServerConfig = z.object({
  mode: z.enum(["dev", "start"]),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  /** App URLs to sync (dev: `-u`). */
  appUrls: z.array(z.url()),
  discovery: z.boolean(),
  /** How often known apps are re-synced (ms); 0 disables. */
  syncIntervalMs: z.number().int().min(0),
  signingKey: z.string().optional(),
  signingKeyFallback: z.string().optional(),
  eventKeys: z.array(z.string().min(1)),
  postgresUri: z.string().optional(),
  /** Connections each node keeps to Postgres. */
  postgresPoolSize: z.number().int().min(2).max(200),
  sqliteSynchronous: z.enum(["full", "normal"]),
  /** First retry delay; doubles per attempt up to 10 min. */
  retryBaseMs: z.number().int().min(0),
  /** Lease on a claimed queue item; extended while the item is worked on. */
  leaseMs: z.number().int().min(1000),
  /** Concurrent requests to apps, all apps together. */
  sdkConcurrency: z.number().int().min(1),
  /**
   * Concurrent requests to one app (one origin); more wait in order. A Node app runs requests on
   * one thread: past a few dozen at once they only share its CPU and all finish late, so the
   * runs queued first are served first instead. Model calls do not count: they run in Ingot.
   */
  appConcurrency: z.number().int().min(1),
  /** Concurrent outbound AI / fetch calls. */
  gatewayConcurrency: z.number().int().min(1),
  systemConcurrency: z.number().int().min(1),
  /** Longest time an app may hold one execution request. */
  requestTimeoutMs: z.number().int().min(1000),
  /** Largest request body the server accepts on `/e/` and `/fn/register`. */
  maxBodyBytes: z.number().int().min(1024),
  /** Largest body sent to an app inline; above it the SDK fetches state via `use_api`. */
  inlineStateBytes: z.number().int().min(1024),
  /** Send `ctx.fn_id` so v4 SDKs checkpoint several steps per request (spec §9.1). */
  checkpointing: z.boolean(),
  /** Window for de-duplicating events by their `id` (ms). */
  eventDedupeWindowMs: z.number().int().min(0),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  /** Upper bound on how long the scheduler sleeps without looking at the store (ms). */
  pollIntervalMs: z.number().int().min(10),
  /** Deadline of one provider call attempt (ms). */
  aiTimeoutMs: z.number().int().min(100),
  /** Hosts the AI gateway may call in `start` mode (`*` wildcards); dev mode allows any. */
  aiAllowHosts: z.array(z.string().min(1)),
  /** Allow connections to private and loopback addresses (dev mode always does). */
  aiAllowPrivate: z.boolean(),
  /** Keys Ingot holds per provider (`openai`, `anthropic`, `google`, …), used when an op has none. */
  providerKeys: z.record(z.string(), z.string().min(1)),
  /** `start` mode: what the dashboard asks for at sign-in; defaults to the signing key. */
  dashboardToken: z.string().optional(),
  /**
   * Believe `X-Forwarded-For`, `-Proto` and `-Host` (set by a reverse proxy in front of Ingot)
   * for the client address, HTTPS and the request's host. Off: anyone could forge them.
   */
  trustProxy: z.boolean(),
  /**
   * Finished runs (with their steps, history and AI calls) and events older than this are
   * deleted (ms); 0 keeps everything. See `parseRetention`.
   */
  retentionMs: z
    .number()
    .int()
    .refine((ms) => ms === 0 || ms >= MIN_RETENTION_MS, {
      message: `expected 0 (off) or at least ${MIN_RETENTION_MS} ms`,
    }),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export type ConfigFlags = Partial<ServerConfig>;

const DAY_MS = 86_400_000;

export function defaultConfig(mode: ServerMode): ServerConfig {
  return {
    mode,
    host: "127.0.0.1",
    port: 8288,
    dataDir: join(process.cwd(), ".ingot"),
    appUrls: [],
    discovery: mode === "dev",
    syncIntervalMs: mode === "dev" ? 5_000 : 60_000,
    eventKeys: [],
    sqliteSynchronous: "full",
    postgresPoolSize: 10,
    retryBaseMs: mode === "dev" ? 1_000 : 15_000,
    leaseMs: 60_000,
    sdkConcurrency: 512,
    appConcurrency: 64,
    gatewayConcurrency: 20_000,
    systemConcurrency: 256,
    requestTimeoutMs: 2 * 3_600_000,
    maxBodyBytes: 10 * 1024 * 1024,
    inlineStateBytes: 4 * 1024 * 1024,
    checkpointing: true,
    eventDedupeWindowMs: DAY_MS,
    logLevel: "info",
    pollIntervalMs: 1_000,
    aiTimeoutMs: 10 * 60_000,
    aiAllowHosts: [...DEFAULT_AI_HOSTS],
    aiAllowPrivate: mode === "dev",
    providerKeys: {},
    trustProxy: false,
    retentionMs: 0,
  };
}

type Env = Readonly<Record<string, string | undefined>>;

const int = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : Number.NaN;
};

const bool = (value: string | undefined): boolean | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  return ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
};

function fromEnv(env: Env): ConfigFlags {
  const flags: ConfigFlags = {};
  const set = <K extends keyof ServerConfig>(key: K, value: ServerConfig[K] | undefined): void => {
    if (value !== undefined) flags[key] = value;
  };
  set("port", int(env.INGOT_PORT));
  set("host", env.INGOT_HOST);
  set("dataDir", env.INGOT_DATA_DIR);
  set("signingKey", env.INGOT_SIGNING_KEY);
  set("signingKeyFallback", env.INGOT_SIGNING_KEY_FALLBACK);
  const eventKeys = env.INGOT_EVENT_KEY?.split(",")
    .map((key) => key.trim())
    .filter(Boolean);
  set("eventKeys", eventKeys?.length ? eventKeys : undefined);
  set("postgresUri", env.INGOT_POSTGRES_URI);
  set("postgresPoolSize", int(env.INGOT_POSTGRES_POOL_SIZE));
  set("retryBaseMs", int(env.INGOT_RETRY_BASE_MS));
  set("leaseMs", int(env.INGOT_LEASE_MS));
  set("sdkConcurrency", int(env.INGOT_SDK_CONCURRENCY));
  set("appConcurrency", int(env.INGOT_APP_CONCURRENCY));
  set("checkpointing", bool(env.INGOT_CHECKPOINTING));
  set("syncIntervalMs", int(env.INGOT_SYNC_INTERVAL_MS));
  set("inlineStateBytes", int(env.INGOT_INLINE_STATE_BYTES));
  set("maxBodyBytes", int(env.INGOT_MAX_BODY_BYTES));
  set("dashboardToken", env.INGOT_DASHBOARD_TOKEN || undefined);
  set("aiTimeoutMs", int(env.INGOT_AI_TIMEOUT_MS));
  const hosts = env.INGOT_AI_ALLOW_HOSTS?.split(",")
    .map((host) => host.trim())
    .filter(Boolean);
  set("aiAllowHosts", hosts?.length ? hosts : undefined);
  set("aiAllowPrivate", bool(env.INGOT_AI_ALLOW_PRIVATE));
  set("trustProxy", bool(env.INGOT_TRUST_PROXY));
  if (env.INGOT_RETENTION !== undefined && env.INGOT_RETENTION.trim() !== "")
    flags.retentionMs = parseRetention(env.INGOT_RETENTION, "INGOT_RETENTION");
  const keys = parseProviderKeys(env.INGOT_AI_KEYS);
  set("providerKeys", Object.keys(keys).length > 0 ? keys : undefined);
  const level = env.INGOT_LOG_LEVEL;
  if (level !== undefined && level !== "") flags.logLevel = level as ServerConfig["logLevel"];
  const sync = env.INGOT_SQLITE_SYNCHRONOUS;
  if (sync !== undefined && sync !== "")
    flags.sqliteSynchronous = sync as ServerConfig["sqliteSynchronous"];
  return flags;
}

/** `openai=sk-…,anthropic=sk-ant-…` → `{openai: "sk-…", anthropic: "sk-ant-…"}` */
export function parseProviderKeys(text: string | undefined): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const entry of text?.split(",") ?? []) {
    const at = entry.indexOf("=");
    if (at <= 0) continue;
    const provider = entry.slice(0, at).trim().toLowerCase();
    const key = entry.slice(at + 1).trim();
    if (provider !== "" && key !== "") keys[provider] = key;
  }
  return keys;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * `--retention` / `INGOT_RETENTION`: a duration such as `7d`, `36h`, `90m` or `1w2d` (the SDK's
 * duration syntax), or `off`. Returns ms, 0 for off; throws `ConfigError` naming `source`.
 */
export function parseRetention(text: string, source: string): number {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === "off") return 0;
  const ms = parseDurationMs(text.trim());
  if (ms === undefined || ms < MIN_RETENTION_MS) {
    throw new ConfigError(
      `${source}: expected a duration of at least 1s such as 7d, 36h or 90m, or "off"; got "${text}"`,
    );
  }
  return ms;
}

/** Defaults < environment < flags; throws `ConfigError` naming every invalid setting. */
export function resolveConfig(
  mode: ServerMode,
  flags: ConfigFlags,
  env: Env = process.env,
): ServerConfig {
  const merged = { ...defaultConfig(mode), ...fromEnv(env), ...stripUndefined(flags), mode };
  const parsed = ServerConfig.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const config = parsed.data;
  if (config.mode === "start") {
    if (!config.signingKey) {
      throw new ConfigError(
        "ingot start needs --signing-key (or INGOT_SIGNING_KEY): signkey-<env>-<64 or more hex digits>",
      );
    }
    if (config.eventKeys.length === 0) {
      throw new ConfigError("ingot start needs --event-key (or INGOT_EVENT_KEY)");
    }
  }
  const problems = secretProblems(config);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  return config;
}

/**
 * Keys that are given must be strong enough to protect `start` mode: a signing key that is not
 * hex once hashed to the digest of nothing and let anyone in. Messages never quote a key.
 */
function secretProblems(config: ServerConfig): string[] {
  const problems: string[] = [];
  const check = (name: string, problem: string | undefined): void => {
    if (problem !== undefined) problems.push(`${name}: ${problem}`);
  };
  if (config.signingKey !== undefined) check("--signing-key", signingKeyProblem(config.signingKey));
  if (config.signingKeyFallback !== undefined)
    check("--signing-key-fallback", signingKeyProblem(config.signingKeyFallback));
  if (config.mode === "start") {
    config.eventKeys.forEach((key, index) =>
      check(`--event-key #${index + 1}`, eventKeyProblem(key)),
    );
    if (config.dashboardToken !== undefined)
      check("--dashboard-token", dashboardTokenProblem(config.dashboardToken));
  }
  return problems;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
