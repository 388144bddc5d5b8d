import type { Server } from "node:http";
import type { Store } from "@ingot/store";
import type { PostgresStore } from "@ingot/store-postgres";
import type { Clock } from "../clock.js";
import type { ServerConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { RunStreams } from "../streams.js";
import { LocalBus, PostgresBus, type RealtimeBus } from "./bus.js";
import { RealtimeHub } from "./hub.js";
import type { ReplayLimits } from "./replay.js";
import { attachRealtimeSockets } from "./socket.js";
import { DEFAULT_LIMITS, type SubscriberLimits } from "./subscriber.js";
import { RealtimeTokens } from "./tokens.js";

export { realtimeRoutes } from "./routes.js";
export { runChannel } from "./schemas.js";

/** The `NOTIFY` channel nodes exchange realtime messages on. */
export const REALTIME_PG_CHANNEL = "ingot_realtime";

export interface RealtimeOptions {
  config: ServerConfig;
  store: Store;
  streams: RunStreams;
  clock: Clock;
  logger: Logger;
  /** Set when nodes share Postgres: messages then go through it to every node. */
  postgres?: PostgresStore;
  limits?: Partial<SubscriberLimits>;
  replay?: ReplayLimits;
  tokenTtlMs?: number;
}

/** Inngest Realtime on Ingot: tokens, the hub, its bus between nodes, and the WebSocket. */
export interface Realtime {
  readonly hub: RealtimeHub;
  readonly tokens: RealtimeTokens;
  readonly limits: SubscriberLimits;
  now(): number;
  /** Serves `WS /v1/realtime/connect` on this HTTP server. */
  attach(server: Server): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createRealtime(options: RealtimeOptions): Realtime {
  const { config, clock, logger } = options;
  const bus: RealtimeBus = options.postgres
    ? new PostgresBus(options.postgres.broadcast(REALTIME_PG_CHANNEL), logger)
    : new LocalBus();
  const hub = new RealtimeHub({
    bus,
    streams: options.streams,
    store: options.store,
    clock,
    logger,
    ...(options.replay ? { replay: options.replay } : {}),
  });
  const keys = [config.signingKey, config.signingKeyFallback].filter((key): key is string => !!key);
  const tokens = new RealtimeTokens(keys, () => clock.now(), options.tokenTtlMs);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const detachers: (() => void)[] = [];
  return {
    hub,
    tokens,
    limits,
    now: () => clock.now(),
    attach(server) {
      detachers.push(attachRealtimeSockets(server, { hub, tokens, logger, limits }));
    },
    start: () => hub.start(),
    async stop() {
      for (const detach of detachers.splice(0)) detach();
      await hub.stop();
    },
  };
}
