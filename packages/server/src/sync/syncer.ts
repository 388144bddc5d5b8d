import { randomUUID } from "node:crypto";
import {
  AppId,
  describeZodError,
  ErrorCode,
  type FunctionConfig,
  FunctionId,
  InBandSyncResponse,
  IngotError,
  RegisterRequest,
  sdkOf,
} from "@ingot/protocol";
import type { FunctionRecord, Store } from "@ingot/store";
import type { Clock } from "../clock.js";
import type { ServerConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { FunctionRegistry } from "../registry.js";
import type { SdkClient } from "../sdk-client.js";
import { type Handshake, handshake, SyncKind } from "./handshake.js";
import { PendingRegistrations, type SyncOutcome } from "./registrations.js";
import { SyncReport } from "./report.js";
import { DISCOVERY_CANDIDATES, normalizeAppUrl } from "./urls.js";
import { validateFunctions } from "./validate.js";

export type { SyncOutcome } from "./registrations.js";

/** A sync that did not register the app; `fromSdk` says whether an SDK answered at all. */
export class SyncError extends IngotError {
  override readonly name = "SyncError";
  constructor(
    message: string,
    readonly fromSdk: boolean,
  ) {
    super(ErrorCode.InvalidRequest, message);
  }
}

interface AppSyncerDeps {
  store: Store;
  registry: FunctionRegistry;
  clock: Clock;
  config: ServerConfig;
  logger: Logger;
  sdk: SdkClient;
  onFunctionsChanged?: (functions: FunctionRecord[]) => Promise<void>;
}

/**
 * App sync (spec §2.1, §3.2) as the Inngest dev server does it: a `PUT` to the app that lets the
 * SDK answer in band or register out of band (`handshake.ts`), confirmed by the app's actual
 * registration; `-u` URLs (and, in dev mode, the well-known local ports) re-synced periodically.
 * A failed sync is shown on the app (`GET /v1/apps`, the dashboard) and logged at `warn`.
 */
export class AppSyncer {
  private timer?: NodeJS.Timeout;
  private readonly urls = new Set<string>();
  private lastChange: number | undefined;
  private reloading: Promise<void> | undefined;
  private readonly pending = new PendingRegistrations();
  /** How each app URL last synced: apps that register out of band skip the in-band attempt. */
  private readonly preferred = new Map<string, SyncKind>();
  private readonly report: SyncReport;

  constructor(private readonly deps: AppSyncerDeps) {
    this.report = new SyncReport(deps.logger);
  }

  get serverKind(): "dev" | "cloud" {
    return this.deps.config.mode === "dev" ? "dev" : "cloud";
  }

  /** Out-of-band registration from an SDK (`POST /fn/register`); `syncId` is its `deployId`. */
  async register(input: {
    body: unknown;
    expectedKind: string | undefined;
    syncId: string | undefined;
  }): Promise<SyncOutcome> {
    const { expectedKind } = input;
    if (expectedKind !== undefined && expectedKind !== "" && expectedKind !== this.serverKind) {
      throw new IngotError(
        ErrorCode.InvalidRequest,
        `this is a "${this.serverKind}" server but the SDK expects "${expectedKind}"; point the SDK at the right server`,
      );
    }
    const parsed = RegisterRequest.safeParse(input.body);
    if (!parsed.success)
      throw new IngotError(ErrorCode.InvalidRequest, describeZodError(parsed.error));
    const request = parsed.data;
    const outcome = await this.apply({
      appId: request.appName,
      url: request.url,
      functions: request.functions,
      sdk: request.sdk ?? null,
      framework: request.framework ?? null,
      appVersion: request.appVersion ?? null,
    });
    if (this.pending.isOpen(input.syncId)) this.pending.settle(input.syncId, { ok: true, outcome });
    else this.report.succeeded({ url: normalizeAppUrl(request.url), outcome, via: "register" });
    return outcome;
  }

  /**
   * A registration was refused (bad body, wrong key, invalid function). The sync waiting for it
   * reports the reason; a registration the SDK made by itself is reported here.
   */
  async registrationRefused(input: { syncId: string | undefined; body: unknown; error: unknown }) {
    const why = messageOf(input.error);
    const reason = `the app's registration was refused: ${why}`;
    if (this.pending.isOpen(input.syncId)) {
      this.pending.settle(input.syncId, { ok: false, reason });
      return;
    }
    const url = urlOf(input.body);
    // Without a body (refused before it was read, e.g. no key) there is no app to show it on.
    if (url !== undefined) await this.failed(url, reason);
    else this.deps.logger.warn({ reason: why }, `refused an app registration: ${why}`);
  }

  /** Syncs an app by URL now. Throws `SyncError` with the reason when it did not register. */
  async syncUrl(url: string, options: { probe?: boolean } = {}): Promise<SyncOutcome> {
    const key = normalizeAppUrl(url);
    const syncId = this.pending.open();
    const startedAt = this.deps.clock.now();
    try {
      const answer = await handshake({
        sdk: this.deps.sdk,
        url,
        syncId,
        serverKind: this.serverKind,
        signed: this.deps.config.signingKey !== undefined,
        ...(this.preferred.has(key) ? { preferred: this.preferred.get(key) } : {}),
      });
      const outcome = await this.settle({ url, answer, syncId, startedAt });
      this.preferred.set(key, answer.kind === "in_band" ? SyncKind.InBand : SyncKind.OutOfBand);
      this.report.succeeded({ url: key, outcome, via: answer.kind });
      return outcome;
    } catch (error) {
      this.preferred.delete(key);
      const fromSdk = error instanceof SyncError ? error.fromSdk : true;
      // A probed port that is not an SDK is not an app: nothing to show (as `inngest dev`).
      if (!options.probe || fromSdk) await this.failed(url, messageOf(error));
      throw error;
    } finally {
      this.pending.close(syncId);
    }
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

  /** Stops re-syncing a URL (its app was removed). */
  forget(url: string): void {
    for (const known of this.urls)
      if (normalizeAppUrl(known) === normalizeAppUrl(url)) this.urls.delete(known);
    this.preferred.delete(normalizeAppUrl(url));
    this.report.forget(normalizeAppUrl(url));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Reloads the registry when apps or functions changed in the store (another node synced).
   * Callers that find no new change still wait for the reload a concurrent caller started, so
   * none of them goes on with a registry older than what it read. `strict` rethrows a failure
   * (event routing must not proceed on a registry it could not check).
   */
  async refreshIfChanged(strict = false): Promise<void> {
    try {
      const changed = await this.deps.store.apps.lastChangeAt();
      if (changed !== this.lastChange) {
        this.lastChange = changed;
        this.reloading = this.reloadRegistry();
      }
      await this.reloading;
    } catch (error) {
      this.lastChange = undefined;
      if (strict) throw error;
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
        const found = await this.syncUrl(url, { probe: true }).then(
          () => true,
          (error: unknown) => error instanceof SyncError && error.fromSdk,
        );
        if (found) this.urls.add(url);
      }
    }
    for (const url of this.urls) {
      // Failures are logged and shown on the app by syncUrl; the next tick tries again.
      await this.syncUrl(url).catch(() => undefined);
    }
  }

  /** The outcome of a handshake: in band, the functions it answered; out of band, the registration. */
  private async settle(input: {
    url: string;
    answer: Handshake;
    syncId: string;
    startedAt: number;
  }): Promise<SyncOutcome> {
    const { url, answer, syncId } = input;
    if (answer.kind === "failed") throw new SyncError(answer.reason, answer.fromSdk);
    if (answer.kind === "in_band") return this.applyInBand(url, answer.body);
    const registration = this.pending.close(syncId);
    if (registration?.ok) return registration.outcome;
    // Both ways refused (a wrong key: the SDK refused Ingot's signature, Ingot the SDK's key).
    if (registration) throw new SyncError(registration.reason + refusalOf(answer), true);
    // On many nodes the registration may have reached another node: look in the store.
    const stored = await this.registeredSince(url, input.startedAt);
    if (stored) return stored;
    throw new SyncError(this.notRegistered(url, answer), true);
  }

  private async applyInBand(url: string, body: unknown): Promise<SyncOutcome> {
    const parsed = InBandSyncResponse.safeParse(body);
    if (!parsed.success) {
      throw new SyncError(
        `the app at ${url} answered the sync with an invalid body: ${describeZodError(parsed.error)}`,
        true,
      );
    }
    const response = parsed.data;
    return this.apply({
      appId: response.app_id,
      url: response.url,
      functions: response.functions,
      sdk: sdkOf(response),
      framework: response.framework ?? null,
      appVersion: response.appVersion ?? null,
    });
  }

  private notRegistered(url: string, answer: Extract<Handshake, { kind: "out_of_band" }>): string {
    const refusal = refusalOf(answer);
    if (answer.status !== 200)
      return `the app at ${url} answered the sync with HTTP ${answer.status}: ${answer.detail}${refusal}`;
    const { host, port } = this.deps.config;
    const self = `http://${host}:${port}`;
    return (
      `the app at ${url} answered the sync but never registered with this server: its SDK sends ` +
      `registrations elsewhere${answer.detail ? ` ("${answer.detail}")` : ""}. Point it here: ` +
      `INNGEST_DEV=1 and INNGEST_BASE_URL=${self} (Python), INNGEST_DEV=${self} (JS)`
    );
  }

  /** An app at this URL registered after `since` (through another node). */
  private async registeredSince(url: string, since: number): Promise<SyncOutcome | undefined> {
    const key = normalizeAppUrl(url);
    const app = (await this.deps.store.apps.list()).find(
      (entry) =>
        normalizeAppUrl(entry.url) === key && entry.syncedAt >= since && entry.error === null,
    );
    if (!app) return undefined;
    const functions = await this.deps.store.apps.functions();
    const functionCount = functions.filter((fn) => fn.appId === app.id).length;
    return { appId: app.id, modified: false, functionCount };
  }

  /**
   * Shows a failed sync on the app it concerns (`GET /v1/apps`, the dashboard) and logs it. An
   * app never synced before is shown under its URL, as the Inngest dev server does, until it
   * syncs.
   */
  private async failed(url: string, reason: string): Promise<void> {
    const { store, clock } = this.deps;
    const key = normalizeAppUrl(url);
    this.report.failed({ url: key, reason });
    const known = (await store.apps.list()).find((app) => normalizeAppUrl(app.url) === key);
    if (known) {
      if (known.error !== reason) await store.apps.recordError(known.id, reason, clock.now());
      return;
    }
    await store.apps.sync({
      app: placeholder(key, clock.now()),
      functions: [],
      now: clock.now(),
    });
    await store.apps.recordError(AppId(key), reason, clock.now());
  }

  private async apply(input: {
    appId: string;
    url: string;
    functions: FunctionConfig[];
    sdk: string | null;
    framework: string | null;
    appVersion: string | null;
  }): Promise<SyncOutcome> {
    const { store, clock } = this.deps;
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
    // The app now shows under its own id: drop the entry that showed its failed syncs by URL.
    if (input.appId !== url && (await store.apps.get(AppId(url))))
      await store.apps.remove(AppId(url), clock.now());
    const modified = counts.added + counts.updated + counts.archived > 0;
    if (modified) await this.reloadRegistry();
    return { appId: input.appId, modified, functionCount: functions.length };
  }
}

/** ` (in-band sync refused: HTTP 401: …)` when the SDK refused the in-band attempt first. */
function refusalOf(answer: Extract<Handshake, { kind: "out_of_band" }>): string {
  return answer.inBandRefusal ? ` (in-band sync refused: ${answer.inBandRefusal})` : "";
}

function placeholder(url: string, now: number) {
  return {
    id: AppId(url),
    url,
    sdk: null,
    framework: null,
    appVersion: null,
    error: null,
    syncedAt: now,
  };
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `url` of a registration body that may not have parsed. */
function urlOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("url" in body)) return undefined;
  return typeof body.url === "string" && body.url !== "" ? body.url : undefined;
}
