import type { Store } from "@ingot/store";
import type { RunActions } from "../actions.js";
import type { Clock } from "../clock.js";
import type { ServerConfig } from "../config.js";
import type { Executor } from "../executor.js";
import type { EventIngest } from "../ingest.js";
import type { Logger } from "../logger.js";
import type { RunNotifier } from "../notifier.js";
import type { LoginThrottle } from "../security/login-throttle.js";
import type { Sessions } from "../security/sessions.js";
import type { RunTracer } from "../trace.js";
import type { RequestFacts } from "./request-facts.js";
import type { Realtime } from "../realtime/index.js";
import type { RunStreams } from "../streams.js";
import type { FunctionRegistry } from "../registry.js";
import type { Runner } from "../runner.js";
import type { AppSyncer } from "../sync/index.js";

/** What the routes need; built by `createIngotServer` and by tests. */
export interface HttpDeps {
  config: ServerConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  registry: FunctionRegistry;
  runner: Runner;
  ingest: EventIngest;
  syncer: AppSyncer;
  executor: Executor;
  notifier: RunNotifier;
  streams: RunStreams;
  sessions: Sessions;
  loginThrottle: LoginThrottle;
  /** Client address, HTTPS and Host, believing forwarded headers only with `--trust-proxy`. */
  facts: RequestFacts;
  actions: RunActions;
  /** Requests this node has open to an app (per-app cap: `--app-concurrency`). */
  appLoad: (appUrl: string) => { active: number; queued: number; limit: number };
  tracer: RunTracer;
  /** Inngest Realtime: `/v1/realtime/*`. */
  realtime: Realtime;
  /** Built dashboard (index.html and assets), if present. */
  dashboardDir: string | undefined;
}
