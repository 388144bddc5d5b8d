import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

export type Row = Record<string, unknown>;

/** Runs one statement: on the pool (autocommit) or inside a transaction. */
export interface Sql {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
}

/** How long and how often to try again while Postgres is unreachable (restart, failover). */
export interface ReconnectOptions {
  /** First pause after a failed attempt; doubles up to `maxDelayMs`. Default 50 ms. */
  initialDelayMs?: number;
  /** Default 2 s. */
  maxDelayMs?: number;
  /** Total time one call keeps trying before it fails with `postgres_unavailable`. Default 10 s. */
  giveUpAfterMs?: number;
}

export type PostgresStoreErrorCode =
  /** Postgres could not be reached within `reconnect.giveUpAfterMs`. */
  | "postgres_unavailable"
  /** The connection broke while COMMIT was in flight: the transaction may or may not have landed. */
  | "postgres_commit_unknown"
  /** The store was closed. */
  | "store_closed"
  /** The database was migrated by a newer Ingot. */
  | "schema_too_new";

export class PostgresStoreError extends Error {
  override readonly name = "PostgresStoreError";
  constructor(
    readonly code: PostgresStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** SQLSTATEs and socket errors after which a fresh connection may succeed. */
const CONNECTION_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/i;
/** Deadlock and serialization failures: the transaction was rolled back and may simply be re-run. */
const RETRY_STATES = new Set(["40P01", "40001"]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (code.startsWith("08") || CONNECTION_STATES.has(code))) return true;
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  return error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

const isRetryableConflict = (error: unknown): boolean => RETRY_STATES.has(codeOf(error) ?? "");

/**
 * A prepared statement whose result columns changed under it (another node ran a migration that
 * altered a table this connection has a `SELECT *` statement for). A fresh connection fixes it.
 */
const isStalePlan = (error: unknown): boolean =>
  codeOf(error) === "0A000" &&
  error instanceof Error &&
  /cached plan must not change result type/i.test(error.message);

/** Marks an error thrown while COMMIT was in flight. */
class CommitFailed extends Error {
  constructor(readonly error: unknown) {
    super("COMMIT failed", { cause: error });
  }
}

/** `error` happened, then ROLLBACK failed too: the connection is not reusable. */
class Broken extends Error {
  constructor(
    readonly error: unknown,
    rollback: unknown,
  ) {
    super("ROLLBACK failed", { cause: rollback });
  }
}

/**
 * The connection pool plus the two ways this package talks to Postgres: single autocommit
 * statements and transactions. Both survive a Postgres restart: a call that cannot get a
 * connection, or loses it before anything could have been committed, waits (exponential backoff)
 * and tries again on a new connection until `giveUpAfterMs`; broken connections are destroyed,
 * never returned to the pool.
 *
 * What "nothing could have been committed" means: a transaction whose connection drops before
 * COMMIT is rolled back by the server, so it is re-run from the start; a drop during COMMIT is
 * reported (`postgres_commit_unknown`), never retried. Single statements outside transactions
 * are all idempotent in effect in this package (reads, lease extension, app error and removal,
 * sweeps and pruning; a repeated claim leases other items and the unanswered lease expires), so
 * they are repeated; a repeat after a lost answer may report less (`apps.remove` → false, fewer
 * rows pruned).
 */
export class Database implements Sql {
  readonly pool: pg.Pool;
  private closed = false;
  private readonly names = new Map<string, string>();
  private readonly retry: Required<ReconnectOptions>;

  constructor(
    readonly config: pg.PoolConfig,
    retry: ReconnectOptions,
    private readonly onError: (error: Error) => void,
    private readonly prepare = true,
  ) {
    this.retry = {
      initialDelayMs: retry.initialDelayMs ?? 50,
      maxDelayMs: retry.maxDelayMs ?? 2_000,
      giveUpAfterMs: retry.giveUpAfterMs ?? 10_000,
    };
    this.pool = new pg.Pool(config);
    // An idle pooled connection that dies (server restart) is dropped by the pool; without this
    // listener the 'error' event would crash the process.
    this.pool.on("error", (error) => this.onError(error));
  }

  query(text: string, values: readonly unknown[] = []): Promise<{ rows: Row[]; rowCount: number }> {
    return this.withConnection((client) => run(client, this.statement(text, values)));
  }

  /**
   * Runs `work` in one READ COMMITTED transaction. `work` may run more than once (after a
   * deadlock, a serialization failure or a connection lost before COMMIT), so it must not have
   * effects outside the transaction.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.withConnection(async (client) => {
      await client.query("BEGIN");
      let value: T;
      try {
        value = await work({
          query: (text, values = []) => run(client, this.statement(text, values)),
        });
      } catch (error) {
        if (!isConnectionError(error)) {
          await client.query("ROLLBACK").catch((rollback: unknown) => {
            throw new Broken(error, rollback);
          });
        }
        throw error;
      }
      try {
        await client.query("COMMIT");
      } catch (error) {
        throw new CommitFailed(error);
      }
      return value;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * Named statements are parsed and planned once per connection (off behind a transaction-mode
   * pooler such as PgBouncer before 1.21, which cannot keep them).
   */
  private statement(text: string, values: readonly unknown[]): pg.QueryConfig {
    if (!this.prepare) return { text, values: [...values] };
    let name = this.names.get(text);
    if (name === undefined) {
      name = `ingot_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
      this.names.set(text, name);
    }
    return { name, text, values: [...values] };
  }

  /** Runs `work` on one pooled connection, with the same retries as a single statement. */
  withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withConnection(work);
  }

  private async withConnection<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const started = Date.now();
    let delay = this.retry.initialDelayMs;
    for (;;) {
      if (this.closed) throw new PostgresStoreError("store_closed", "the Postgres store is closed");
      try {
        return await this.once(work);
      } catch (caught) {
        const error = caught instanceof Broken ? caught.error : caught;
        if (error instanceof CommitFailed) {
          if (!isConnectionError(error.error)) throw error.error;
          throw new PostgresStoreError(
            "postgres_commit_unknown",
            "the connection to Postgres broke during COMMIT: the transaction may or may not have been applied",
            { cause: error.error },
          );
        }
        const retryable =
          isConnectionError(error) || isRetryableConflict(error) || isStalePlan(error);
        if (!retryable || this.closed) throw error;
        if (Date.now() - started + delay > this.retry.giveUpAfterMs) {
          if (!isConnectionError(error)) throw error;
          throw new PostgresStoreError(
            "postgres_unavailable",
            `Postgres is unreachable (tried for ${Date.now() - started} ms): ${describe(error)}; check that the server is running and the connection string is right`,
            { cause: error },
          );
        }
        await sleep(delay);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }

  private async once<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no error listener of the pool's: without one, a connection that
    // drops between two statements would crash the process.
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on("error", onError);
    try {
      return await work(client);
    } catch (error) {
      const unusable =
        isConnectionError(error) ||
        isStalePlan(error) ||
        error instanceof CommitFailed ||
        error instanceof Broken;
      if (unusable) broken ??= asError(error);
      throw error;
    } finally {
      client.removeListener("error", onError);
      client.release(broken);
    }
  }
}

async function run(
  client: pg.PoolClient,
  statement: pg.QueryConfig,
): Promise<{ rows: Row[]; rowCount: number }> {
  const result = await client.query<Row>(statement);
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

function describe(error: unknown): string {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code} ${message}` : message;
}
