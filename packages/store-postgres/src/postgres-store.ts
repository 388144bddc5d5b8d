import type { Changeset, CommitResult, Store } from "@ingot/store";
import type pg from "pg";
import { PostgresAiCalls } from "./ai-calls.js";
import { PostgresApps } from "./apps.js";
import { Abort, applyChangeset } from "./commit.js";
import { Database, type ReconnectOptions } from "./database.js";
import { PostgresEvents } from "./events.js";
import { PostgresFlow } from "./flow.js";
import { migrate } from "./migrate.js";
import { type ControlListener, type QueueListener, QueueNotifications } from "./notify.js";
import { PostgresBroadcast } from "./broadcast.js";
import { PostgresQueue } from "./queue.js";
import { PostgresRetention } from "./retention.js";
import { PostgresRuns } from "./runs.js";
import { PostgresSessions } from "./sessions.js";
import { PostgresWaits } from "./waits.js";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database?…`; or give `pool` connection settings. */
  connectionString?: string;
  /** Any `pg` pool settings (host, port, user, password, database, ssl, timeouts, …). */
  pool?: pg.PoolConfig;
  /**
   * Pooled connections per store (default 10). Each commit, accept or claim holds one for its
   * duration; `subscribeQueue` opens one more, outside the pool.
   */
  max?: number;
  /** Clock used for row timestamps that the caller does not pass (invariant 5). */
  now?: () => number;
  /** Backoff while Postgres is unreachable; see `ReconnectOptions`. */
  reconnect?: ReconnectOptions;
  /**
   * Named prepared statements (default true): each statement is parsed and planned once per
   * connection. Turn off behind a transaction-mode pooler that cannot keep them (PgBouncer
   * before 1.21).
   */
  preparedStatements?: boolean;
  /**
   * Errors nobody awaits: an idle pooled connection or the LISTEN connection dropping (they
   * reconnect by themselves). Default: ignored. Give a logger here.
   */
  onError?: (error: Error) => void;
}

/**
 * The Postgres `Store`: several Ingot nodes can share one database. Create it with
 * `await PostgresStore.open(options)` (or `new PostgresStore(options)` then `await open()`),
 * which applies the migrations. See the package README for the concurrency design.
 */
export class PostgresStore implements Store {
  readonly dialect = "postgres" as const;
  readonly apps: PostgresApps;
  readonly events: PostgresEvents;
  readonly runs: PostgresRuns;
  readonly queue: PostgresQueue;
  readonly waits: PostgresWaits;
  readonly aiCalls: PostgresAiCalls;
  readonly flow: PostgresFlow;
  readonly sessions: PostgresSessions;
  readonly retention: PostgresRetention;
  private readonly db: Database;
  private readonly notifications: QueueNotifications;
  private readonly broadcasts: PostgresBroadcast[] = [];
  private readonly config: pg.PoolConfig;
  private readonly retry: { initialDelayMs: number; maxDelayMs: number };
  private readonly onError: (error: Error) => void;
  private readonly now: () => number;

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      return await store.open();
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** Sets everything up without touching the network; `open()` connects and migrates. */
  constructor(options: PostgresStoreOptions) {
    const config: pg.PoolConfig = {
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
      application_name: "ingot",
      ...options.pool,
      ...(options.connectionString === undefined
        ? {}
        : { connectionString: options.connectionString }),
      max: options.max ?? options.pool?.max ?? 10,
    };
    const onError = options.onError ?? (() => undefined);
    this.config = config;
    this.onError = onError;
    this.retry = {
      initialDelayMs: options.reconnect?.initialDelayMs ?? 50,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 2_000,
    };
    this.now = options.now ?? Date.now;
    this.db = new Database(
      config,
      options.reconnect ?? {},
      onError,
      options.preparedStatements ?? true,
    );
    this.notifications = new QueueNotifications(config, this.retry, onError);
    this.apps = new PostgresApps(this.db);
    this.events = new PostgresEvents(this.db);
    this.runs = new PostgresRuns(this.db);
    this.queue = new PostgresQueue(this.db, this.now);
    this.waits = new PostgresWaits(this.db);
    this.aiCalls = new PostgresAiCalls(this.db);
    this.flow = new PostgresFlow(this.db);
    this.sessions = new PostgresSessions(this.db);
    this.retention = new PostgresRetention(this.db);
  }

  /** Applies pending migrations (under an advisory lock, so nodes may start together). */
  async open(): Promise<this> {
    await this.db.withClient((client) => migrate(client, this.now()));
    return this;
  }

  /**
   * One transaction; a failed guard (`stale`, `conflict`) rolls all of it back. Deadlocks and
   * connections lost before COMMIT re-run it (see `Database.transaction`).
   */
  commit(changes: Changeset): Promise<CommitResult> {
    return this.db
      .transaction((tx) => applyChangeset(tx, changes, this.now()))
      .then(
        ({ enqueued, woken }): CommitResult => ({ ok: true, enqueued, woken }),
        (error: unknown): CommitResult => {
          if (error instanceof Abort) return { ok: false, reason: error.reason };
          throw error;
        },
      );
  }

  /**
   * Calls `listener` with a lane when any node commits items of that lane that are claimable
   * now (`LISTEN ingot_queue`), and with every lane after the listening connection was lost and
   * came back. Returns the unsubscribe function. Not part of `Store` yet; the server can use it
   * to wake idle lanes across nodes instead of polling.
   */
  /** Runs that ended and app syncs, as every node commits them (see `CONTROL_CHANNEL`). */
  subscribeControl(listener: ControlListener): () => void {
    return this.notifications.subscribeControl(listener);
  }

  subscribeQueue(listener: QueueListener): () => void {
    return this.notifications.subscribe(listener);
  }

  /** Resolves once the LISTEN connection is up; subscribe, await this, then poll once. */
  whenListening(): Promise<void> {
    return this.notifications.whenListening();
  }

  /**
   * Messages to every node on this database through `NOTIFY <channel>` (Realtime uses it):
   * ordered by commit, at most once, no table. Opens one more connection while subscribed.
   */
  broadcast(channel: string): PostgresBroadcast {
    const broadcast = new PostgresBroadcast(
      channel,
      this.db,
      this.config,
      this.retry,
      this.onError,
    );
    this.broadcasts.push(broadcast);
    return broadcast;
  }

  async close(): Promise<void> {
    await Promise.all(this.broadcasts.map((broadcast) => broadcast.close()));
    await this.notifications.close();
    await this.db.close();
  }
}
