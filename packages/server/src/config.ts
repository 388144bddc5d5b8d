import { join } from "node:path";
import { z } from "zod";
import { dashboardTokenProblem, eventKeyProblem, signingKeyProblem } from "./security/keys.js";
import { DEFAULT_AI_HOSTS } from "./security/net-guard.js";
import { MIN_DURATION_MS, parseEnvValue, SettingError, SETTINGS } from "./settings.js";

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
  /**
   * Longest time an app may hold one execution request; then the request is abandoned and
   * counts as a failed attempt (retried within the function's retries).
   */
  requestTimeoutMs: z.number().int().min(1000),
  /** Largest answer an app may give to an execution request (step outputs included). */
  appMaxResponseBytes: z.number().int().min(1024),
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
  /** Keep per-run timelines of the last n runs (`GET /v1/runs/:id/trace`); 0 = off. */
  traceRuns: z.number().int().min(0).max(1_000_000),
  /**
   * Finished runs (with their steps, history and AI calls) and events older than this are
   * deleted (ms); 0 keeps everything. See `parseDuration`.
   */
  retentionMs: z
    .number()
    .int()
    .refine((ms) => ms === 0 || ms >= MIN_DURATION_MS, {
      message: `expected 0 (off) or at least ${MIN_DURATION_MS} ms`,
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
    // Renewed every 2 s while work runs; a dead node's items are taken over within ~8 s.
    leaseMs: 6_000,
    sdkConcurrency: 512,
    appConcurrency: 64,
    gatewayConcurrency: 20_000,
    systemConcurrency: 256,
    // 5 min: the longest default request duration of common serverless platforms (Vercel,
    // Cloud Run); an app that has not answered by then has been cut off by its platform.
    requestTimeoutMs: 300_000,
    // Inngest caps a function's whole state at 32 MiB; no single answer needs more.
    appMaxResponseBytes: 32 * 1024 * 1024,
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
    traceRuns: 0,
    retentionMs: 0,
  };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Settings as given by a user (flags or environment), not yet validated. */
export type RawSettings = Readonly<Partial<Record<keyof ServerConfig, unknown>>>;

/** Every setting of `SETTINGS` that has an environment variable and a value there. */
function fromEnv(env: Env): RawSettings {
  const raw: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const setting of SETTINGS) {
    if (setting.env === undefined) continue;
    const value = parseEnvValue(setting, env[setting.env]);
    if (value !== undefined) raw[setting.key] = value;
  }
  return raw;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** How a user names a setting in messages: `--port / INGOT_PORT`. */
function settingName(key: PropertyKey | undefined): string {
  const setting = SETTINGS.find((candidate) => candidate.key === key);
  if (!setting) return String(key);
  const names = [setting.flag && `--${setting.flag}`, setting.env].filter(Boolean);
  return names.length > 0 ? names.join(" / ") : String(key);
}

/** Defaults < environment < flags; throws `ConfigError` naming every invalid setting. */
export function resolveConfig(
  mode: ServerMode,
  flags: ConfigFlags | RawSettings,
  env: Env = process.env,
): ServerConfig {
  let fromEnvironment: RawSettings;
  try {
    fromEnvironment = fromEnv(env);
  } catch (error) {
    if (error instanceof SettingError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
  const merged = { ...defaultConfig(mode), ...fromEnvironment, ...stripUndefined(flags), mode };
  const parsed = ServerConfig.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${settingName(issue.path[0])}: ${issue.message}`,
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
