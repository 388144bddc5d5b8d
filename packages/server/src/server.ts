import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { ProviderClient } from "@ingot/gateway";
import { type QueueItem, QueueLane, type Store } from "@ingot/store";
import type { PostgresStore } from "@ingot/store-postgres";
import { SqliteStore } from "@ingot/store-sqlite";
import type { Hono } from "hono";
import { type Clock, systemClock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import { DataDirLock } from "./data-dir.js";
import { EventProcessor } from "./event-processor.js";
import { FlowControl } from "./flow/control.js";
import { FlowTimers, scheduleCrons } from "./flow/timers.js";
import { Executor } from "./executor.js";
import { GatewayWorker } from "./gateway-worker.js";
import { createHttpApp } from "./http/app.js";
import type { HttpDeps } from "./http/context.js";
import { newId } from "./ids.js";
import { publicOnlyConnector } from "./security/net-guard.js";
import { RunNotifier } from "./notifier.js";
import { RunTracer } from "./trace.js";
import { RunActions } from "./actions.js";
import { Sessions } from "./security/sessions.js";
import { LoginThrottle } from "./security/login-throttle.js";
import { requestFacts } from "./http/request-facts.js";
import { createRealtime, type RealtimeOptions } from "./realtime/index.js";
import { RunStreams } from "./streams.js";
import { EventIngest } from "./ingest.js";
import { itemHandler } from "./item-handlers.js";
import { createLogger, type Logger } from "./logger.js";
import { FunctionRegistry } from "./registry.js";
import { Pruner } from "./retention/pruner.js";
import { Runner } from "./runner.js";
import { SdkClient } from "./sdk-client.js";
import { SecretVault } from "./security/secrets.js";
import { AppSyncer } from "./sync/index.js";

export interface IngotServer {
  readonly config: ServerConfig;
  readonly app: Hono;
  readonly deps: HttpDeps;
  /** Base URL once listening, e.g. http://127.0.0.1:8288 */
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The built dashboard of `@ingot/dashboard`, when it is installed and built. */
function findDashboard(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("@ingot/dashboard/package.json");
    const dir = join(dirname(manifest), "dist");
    return existsSync(join(dir, "index.html")) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export interface ServerOptions {
  /**
   * The Postgres store class (`@ingot/store-postgres`, which loads `pg`), needed when
   * `config.postgresUri` is set and no `store` is given; `openIngotServer` imports it then.
   */
  PostgresStore?: typeof PostgresStore;
  clock?: Clock;
  logger?: Logger;
  /** Use this store instead of opening SQLite in the data directory (tests). */
  store?: Store;
  /** Serve the dashboard from here instead of the installed `@ingot/dashboard`. */
  dashboardDir?: string;
  /** Realtime limits other than the defaults (tests). */
  realtime?: Pick<RealtimeOptions, "limits" | "replay" | "tokenTtlMs">;
}

/**
 * `createIngotServer`, after loading the Postgres store when `config.postgresUri` asks for it:
 * SQLite users never load `pg` (nor pay its start-up time).
 */
export async function openIngotServer(
  config: ServerConfig,
  options: ServerOptions = {},
): Promise<IngotServer> {
  if (config.postgresUri === undefined || options.store || options.PostgresStore)
    return createIngotServer(config, options);
  const { PostgresStore } = await import("@ingot/store-postgres");
  return createIngotServer(config, { ...options, PostgresStore });
}

/** Wires the pieces together. Nothing listens or runs until `start()`. */
export function createIngotServer(config: ServerConfig, options: ServerOptions = {}): IngotServer {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const shared = options.store === undefined && config.postgresUri !== undefined;
  const lock = options.store || shared ? undefined : DataDirLock.acquire(config.dataDir);
  const Postgres = options.PostgresStore;
  if (shared && !Postgres)
    throw new Error(
      "a Postgres URI needs the Postgres store: create the server with openIngotServer",
    );
  const postgres =
    shared && config.postgresUri !== undefined && Postgres
      ? new Postgres({
          connectionString: config.postgresUri,
          max: config.postgresPoolSize,
          now: () => clock.now(),
          onError: (error) => logger.warn({ err: error }, "postgres connection error"),
        })
      : undefined;
  const store: Store =
    options.store ??
    postgres ??
    new SqliteStore({
      path: join(config.dataDir, "ingot.db"),
      synchronous: config.sqliteSynchronous,
      now: () => clock.now(),
    });
  const registry = new FunctionRegistry();
  const owner = `node-${newId(clock.now())}`;
  const sdk = new SdkClient({
    node: owner,
    clock,
    ...(config.signingKey ? { signingKey: config.signingKey } : {}),
    requestTimeoutMs: config.requestTimeoutMs,
    maxResponseBytes: config.appMaxResponseBytes,
    inlineStateBytes: config.inlineStateBytes,
    connections: Math.min(config.appConcurrency, config.sdkConcurrency),
  });
  const vault = new SecretVault();
  // One connection per in-flight call (HTTP/1.1): as many as the gateway lane runs at once.
  const connections = config.gatewayConcurrency;
  const providers = new ProviderClient({ connections });
  const guardedProviders = new ProviderClient({
    connections,
    connect: publicOnlyConnector(),
  });
  let handle: ReturnType<typeof itemHandler> = () => Promise.resolve();
  let onPoison: (
    item: Parameters<ReturnType<typeof itemHandler>>[0],
    error: unknown,
  ) => Promise<void> = () => Promise.resolve();
  const tracer = new RunTracer(config.traceRuns);
  const executor = new Executor({
    store,
    clock,
    logger,
    owner,
    leaseMs: config.leaseMs,
    pollIntervalMs: config.pollIntervalMs,
    concurrency: {
      sdk: config.sdkConcurrency,
      system: config.systemConcurrency,
      gateway: config.gatewayConcurrency,
    },
    handle: (item, signal) => handle(item, signal),
    onPoison: (item, error) => onPoison(item, error),
    ...(tracer.enabled
      ? { onStart: (item: QueueItem) => tracer.mark(item.runId, `item.started:${item.kind}`) }
      : {}),
  });
  // On a shared database a run may end on another node: long-polls also look every 250 ms.
  const notifier = new RunNotifier(shared ? 250 : undefined);
  const streams = new RunStreams();
  const runner = new Runner({
    tracer,
    store,
    registry,
    clock,
    config,
    logger,
    sdk,
    dispatcher: executor,
    secrets: vault,
    notifier,
    streams,
  });
  const control = new FlowControl({ store, config, dispatcher: executor });
  const events = new EventProcessor({
    tracer,
    store,
    registry,
    clock,
    logger,
    dispatcher: executor,
    control,
    // On a shared store, routing first checks the registry against the store (`syncer` is
    // built below; this runs only once items are handled).
    ...(shared ? { refreshRegistry: () => syncer.refreshIfChanged(true) } : {}),
  });
  const timers = new FlowTimers({
    store,
    registry,
    clock,
    logger,
    dispatcher: executor,
    runner,
    control,
  });
  const gateway = new GatewayWorker({
    store,
    clock,
    config,
    logger,
    runner,
    dispatcher: executor,
    vault,
    client: providers,
    guarded: guardedProviders,
    streams,
  });
  handle = itemHandler({ runner, events, gateway, timers, logger });
  onPoison = (item, error) => runner.failPoisoned(item, error);
  const ingest = new EventIngest({ store, clock, config, dispatcher: executor, tracer });
  const syncer = new AppSyncer({
    store,
    registry,
    clock,
    config,
    logger,
    sdk,
    // Every sync may add cron triggers: make sure each has its next tick queued.
    onFunctionsChanged: async (functions) => {
      const result = await scheduleCrons(store, functions, clock.now());
      if (result > 0) executor.accept([], [QueueLane.System]);
    },
  });
  const realtime = createRealtime({
    config,
    store,
    streams,
    clock,
    logger,
    ...(postgres ? { postgres } : {}),
    ...options.realtime,
  });
  const deps: HttpDeps = {
    config,
    store,
    clock,
    logger,
    registry,
    runner,
    ingest,
    syncer,
    executor,
    notifier,
    streams,
    sessions: new Sessions(store.sessions, () => clock.now()),
    loginThrottle: new LoginThrottle(() => clock.now()),
    facts: requestFacts(config.trustProxy),
    appLoad: (url) => sdk.load(url),
    tracer,
    actions: new RunActions({ store, clock, config, runner, dispatcher: executor }),
    dashboardDir: options.dashboardDir ?? findDashboard(),
    realtime,
  };
  const app = createHttpApp(deps);
  const pruner = new Pruner({ store, clock, logger, retentionMs: config.retentionMs });
  let http: ServerType | undefined;
  let unsubscribe: (() => void) | undefined;
  let registryPoll: NodeJS.Timeout | undefined;

  const server: IngotServer = {
    config,
    app,
    deps,
    url: `http://${config.host}:${config.port}`,
    async start() {
      if (postgres) {
        await postgres.open();
        // Other nodes enqueue work, sync apps and end runs: hear all of it at once.
        const queue = postgres.subscribeQueue((lane) => executor.accept([], [lane]));
        const control = postgres.subscribeControl((message) => {
          if (message.kind === "runs.ended") executor.abortRuns(message.runIds, "the run ended");
          else void syncer.refreshIfChanged();
        });
        unsubscribe = () => {
          queue();
          control();
        };
        await postgres.whenListening();
        // A safety net for notifications lost while the listening connection was down.
        registryPoll = setInterval(() => void syncer.refreshIfChanged(), 10_000);
        registryPoll.unref();
      }
      await syncer.reloadRegistry();
      await realtime.start();
      http = await listen(app, config);
      realtime.attach(http as Server);
      const address = http.address() as AddressInfo;
      server.url = `http://${formatHost(config.host)}:${address.port}`;
      await executor.start();
      streams.start();
      syncer.startDiscovery(config.appUrls);
      await describeRetention(store, config, logger);
      pruner.start();
    },
    async stop() {
      syncer.stop();
      clearInterval(registryPoll);
      unsubscribe?.();
      streams.stop();
      await realtime.stop();
      await new Promise<void>((resolve) => {
        if (!http) return resolve();
        http.close(() => resolve());
        if ("closeAllConnections" in http) http.closeAllConnections();
      });
      await executor.stop();
      await pruner.stop();
      await Promise.all([sdk.close(), providers.close(), guardedProviders.close()]);
      await store.close();
      lock?.release();
    },
  };
  return server;
}

/** One line at start when retention is on, and what an older SQLite file will not do. */
async function describeRetention(store: Store, config: ServerConfig, logger: Logger) {
  if (config.retentionMs === 0) return;
  logger.info(
    { retentionMs: config.retentionMs },
    "retention on: finished runs and events older than this are deleted",
  );
  if (store.dialect === "sqlite" && !(await store.retention.usage()).shrinks) {
    logger.info(
      "the SQLite database predates incremental auto-vacuum: pruned space is reused but the file does not shrink; docs/operations.md (Retention) says how to convert it",
    );
  }
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function listen(app: Hono, config: ServerConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(server),
    );
    server.once("error", reject);
    if ("keepAliveTimeout" in server) {
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      server.requestTimeout = 0;
    }
  });
}
