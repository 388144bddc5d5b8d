import { randomUUID } from "node:crypto";
import { isValidEventPattern, validateExpression } from "@ingot/engine";
import {
  AppId,
  describeZodError,
  ErrorCode,
  type FunctionConfig,
  FunctionId,
  InBandSyncResponse,
  IngotError,
  isEventTrigger,
  parseDurationMs,
  RegisterRequest,
  SdkHeader,
} from "@ingot/protocol";
import type { FunctionRecord, Store } from "@ingot/store";
import type { Clock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { validateCron } from "./flow/cron.js";
import type { FunctionRegistry } from "./registry.js";
import type { SdkClient } from "./sdk-client.js";

export interface SyncOutcome {
  appId: string;
  modified: boolean;
}

/**
 * App sync (spec §2.1, §3.2): out-of-band `POST /fn/register`, in-band `PUT` answered with the
 * function list, and — in dev mode — discovery of the `-u` URLs, re-synced periodically.
 */
export class AppSyncer {
  private timer?: NodeJS.Timeout;
  private readonly urls = new Set<string>();
  private lastChange = -1;

  constructor(
    private readonly deps: {
      store: Store;
      registry: FunctionRegistry;
      clock: Clock;
      config: ServerConfig;
      logger: Logger;
      sdk: SdkClient;
      onFunctionsChanged?: (functions: FunctionRecord[]) => Promise<void>;
    },
  ) {}

  get serverKind(): "dev" | "cloud" {
    return this.deps.config.mode === "dev" ? "dev" : "cloud";
  }

  /** Out-of-band registration from an SDK. */
  async register(body: unknown, expectedKind: string | undefined): Promise<SyncOutcome> {
    if (expectedKind !== undefined && expectedKind !== "" && expectedKind !== this.serverKind) {
      throw new IngotError(
        ErrorCode.InvalidRequest,
        `this is a "${this.serverKind}" server but the SDK expects "${expectedKind}"; point the SDK at the right server`,
      );
    }
    const parsed = RegisterRequest.safeParse(body);
    if (!parsed.success)
      throw new IngotError(ErrorCode.InvalidRequest, describeZodError(parsed.error));
    const request = parsed.data;
    return this.apply({
      appId: request.appName,
      url: request.url,
      functions: request.functions,
      sdk: request.sdk ?? null,
      framework: request.framework ?? null,
      appVersion: request.appVersion ?? null,
    });
  }

  /** Syncs an app by URL: an in-band `PUT`; apps that answer out-of-band register themselves. */
  async syncUrl(url: string): Promise<SyncOutcome> {
    const { sdk, logger } = this.deps;
    const result = await sdk.send({
      url,
      method: "PUT",
      body: JSON.stringify({ url }),
      headers: { [SdkHeader.SyncKind]: "in_band", [SdkHeader.ServerKind]: this.serverKind },
    });
    if (!result.ok)
      throw new IngotError(
        ErrorCode.InvalidRequest,
        `could not reach the app at ${url}: ${result.message}`,
      );
    const { response } = result;
    if (response.status !== 200) {
      const detail = response.text.slice(0, 300);
      throw new IngotError(
        ErrorCode.InvalidRequest,
        `the app at ${url} answered the sync with HTTP ${response.status}: ${detail}`,
      );
    }
    if (response.headers[SdkHeader.SyncKind] !== "in_band") {
      // The SDK registered out of band (POST /fn/register) before answering.
      const modified =
        typeof response.body === "object" && response.body !== null && "modified" in response.body;
      logger.debug({ url }, "app synced out of band");
      return { appId: "", modified };
    }
    const parsed = InBandSyncResponse.safeParse(response.body);
    if (!parsed.success) {
      throw new IngotError(
        ErrorCode.InvalidRequest,
        `the app at ${url} answered the sync with an invalid body: ${describeZodError(parsed.error)}`,
      );
    }
    const body = parsed.data;
    return this.apply({
      appId: body.app_id,
      url: body.url,
      functions: body.functions,
      sdk: body.sdk ?? null,
      framework: body.framework ?? null,
      appVersion: body.appVersion ?? null,
    });
  }

  /**
   * Syncs every URL now and then every `syncIntervalMs`; in dev mode with discovery on, also
   * probes the well-known local app URLs and keeps the ones that answer as an SDK.
   */
  startDiscovery(urls: readonly string[]): void {
    for (const url of urls) this.urls.add(url);
    const { config } = this.deps;
    const probing = config.mode === "dev" && config.discovery;
    if ((this.urls.size === 0 && !probing) || config.syncIntervalMs === 0) return;
    if (this.timer !== undefined) return;
    const tick = (): void => {
      void this.syncAll().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, config.syncIntervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reloads the registry when apps or functions changed in the store (another node synced). */
  async refreshIfChanged(): Promise<void> {
    try {
      const changed = await this.deps.store.apps.lastChangeAt();
      if (changed === this.lastChange) return;
      this.lastChange = changed;
      await this.reloadRegistry();
    } catch (error) {
      this.deps.logger.warn({ err: error }, "could not refresh the function registry");
    }
  }

  async reloadRegistry(): Promise<void> {
    const functions = await this.deps.store.apps.functions();
    this.deps.registry.replace(functions);
    await this.deps.onFunctionsChanged?.(functions);
  }

  private async syncAll(): Promise<void> {
    const { config } = this.deps;
    if (config.mode === "dev" && config.discovery) {
      for (const url of DISCOVERY_CANDIDATES) {
        if (this.urls.has(url)) continue;
        // Unreachable ports fail at once; only an app that answers as an SDK is kept.
        if (
          await this.syncUrl(url).then(
            () => true,
            () => false,
          )
        )
          this.urls.add(url);
      }
    }
    for (const url of this.urls) {
      try {
        await this.syncUrl(url);
      } catch (error) {
        this.deps.logger.debug({ url, err: error }, "app sync failed; will retry");
        await this.recordFailure(url, error);
      }
    }
  }

  /** Shows a failed re-sync on the app it concerns (dashboard, `GET /v1/apps`). */
  async recordFailure(url: string, error: unknown): Promise<void> {
    const { store, clock } = this.deps;
    const message = error instanceof Error ? error.message : String(error);
    const known = (await store.apps.list()).find(
      (app) => normalizeAppUrl(app.url) === normalizeAppUrl(url),
    );
    if (known && known.error !== message)
      await store.apps.recordError(known.id, message, clock.now());
  }

  private async apply(input: {
    appId: string;
    url: string;
    functions: FunctionConfig[];
    sdk: string | null;
    framework: string | null;
    appVersion: string | null;
  }): Promise<SyncOutcome> {
    const { store, clock, logger } = this.deps;
    const url = normalizeAppUrl(input.url);
    const functions = input.functions.map((fn) => normalizeFunction(fn));
    validateFunctions(functions);
    const counts = await store.apps.sync({
      app: {
        id: AppId(input.appId),
        url,
        sdk: input.sdk,
        framework: input.framework,
        appVersion: input.appVersion,
        error: null,
        syncedAt: clock.now(),
      },
      functions: functions.map((config) => ({
        id: FunctionId(config.id),
        name: config.name ?? config.id,
        config,
        uuid: randomUUID(),
      })),
      now: clock.now(),
    });
    const modified = counts.added + counts.updated + counts.archived > 0;
    if (modified) {
      await this.reloadRegistry();
      logger.info({ app: input.appId, url, ...counts }, "app synced");
    }
    return { appId: input.appId, modified };
  }
}

/** Where dev mode looks for apps by itself, as `inngest dev` does (unless --no-discovery). */
export const DISCOVERY_CANDIDATES: readonly string[] = [3000, 3001, 3030, 5173, 8000, 8080].map(
  (port) => `http://127.0.0.1:${port}/api/inngest`,
);

/** Drops `deployId` and `probe` from app URLs, as Go's NormalizeAppURL does (spec §2.1). */
export function normalizeAppUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete("deployId");
    parsed.searchParams.delete("probe");
    return parsed.toString();
  } catch {
    return url;
  }
}

function normalizeFunction(config: FunctionConfig): FunctionConfig {
  const steps = Object.fromEntries(
    Object.entries(config.steps).map(([key, step]) => [
      key,
      { ...step, runtime: { ...step.runtime, url: normalizeAppUrl(step.runtime.url) } },
    ]),
  );
  return { ...config, steps };
}

/** Durations and expressions of the flow-control options (spec §7.1). */
function flowProblems(fn: FunctionConfig): string[] {
  const problems: string[] = [];
  const duration = (field: string, value: string | undefined): void => {
    if (value !== undefined && parseDurationMs(value) === undefined) {
      problems.push(`${fn.id}.${field}: "${value}" is not a duration like "10s", "5m" or "1h"`);
    }
  };
  const expression = (field: string, value: string | undefined): void => {
    const error = value ? validateExpression(value) : undefined;
    if (error) problems.push(`${fn.id}.${field}: ${error}`);
  };
  expression("idempotency", fn.idempotency);
  duration("rateLimit.period", fn.rateLimit?.period);
  expression("rateLimit.key", fn.rateLimit?.key);
  duration("throttle.period", fn.throttle?.period);
  expression("throttle.key", fn.throttle?.key);
  duration("debounce.period", fn.debounce?.period);
  duration("debounce.timeout", fn.debounce?.timeout);
  expression("debounce.key", fn.debounce?.key);
  duration("batchEvents.timeout", fn.batchEvents?.timeout);
  expression("batchEvents.key", fn.batchEvents?.key);
  expression("batchEvents.if", fn.batchEvents?.if);
  expression("priority.run", fn.priority?.run);
  duration("timeouts.start", fn.timeouts?.start);
  duration("timeouts.finish", fn.timeouts?.finish);
  expression("singleton.key", fn.singleton?.key);
  const concurrency = fn.concurrency;
  const items =
    concurrency === undefined || typeof concurrency === "number"
      ? []
      : Array.isArray(concurrency)
        ? concurrency
        : [concurrency];
  if (items.length > 2) problems.push(`${fn.id}.concurrency: at most two limits are supported`);
  items.forEach((item, index) => expression(`concurrency[${index}].key`, item.key));
  return problems;
}

/** Rejects configs we could not run, naming the function and field. */
export function validateFunctions(functions: readonly FunctionConfig[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const fn of functions) {
    if (seen.has(fn.id)) problems.push(`function "${fn.id}" is listed twice`);
    seen.add(fn.id);
    if (!fn.steps.step && Object.keys(fn.steps).length === 0)
      problems.push(`${fn.id}: expected a step with a runtime URL`);
    fn.triggers.forEach((trigger, index) => {
      const where = `${fn.id}.triggers[${index}]`;
      if (!isEventTrigger(trigger)) {
        const error = validateCron(trigger.cron);
        if (error) problems.push(`${where}.cron: ${error}`);
      }
      if (isEventTrigger(trigger)) {
        if (!isValidEventPattern(trigger.event))
          problems.push(`${where}.event: "${trigger.event}" is not a valid event name or pattern`);
        const error = trigger.expression ? validateExpression(trigger.expression) : undefined;
        if (error) problems.push(`${where}.expression: ${error}`);
      }
    });
    for (const [index, cancel] of (fn.cancel ?? []).entries()) {
      const error = cancel.if ? validateExpression(cancel.if) : undefined;
      if (error) problems.push(`${fn.id}.cancel[${index}].if: ${error}`);
    }
    problems.push(...flowProblems(fn));
  }
  if (problems.length > 0) {
    throw new IngotError(
      ErrorCode.InvalidRequest,
      `At least one function is invalid: ${problems.join("; ")}`,
    );
  }
}
