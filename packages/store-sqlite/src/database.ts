import { closeSync, fdatasync, fdatasyncSync, openSync } from "node:fs";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations/index.js";

export type Db = Database.Database;

export interface OpenOptions {
  /** Path of the database file, or ":memory:". */
  path: string;
  /**
   * `full` fsyncs every commit (durable against power loss); `normal` only against a process
   * crash (WAL). Group commit makes `full` cheap: one fsync per batch of writes.
   */
  synchronous?: "full" | "normal";
}

export type SqliteStoreErrorCode =
  /** The database was migrated by a newer Ingot. */
  "schema_too_new";

export class SqliteStoreError extends Error {
  override readonly name = "SqliteStoreError";
  constructor(
    readonly code: SqliteStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function openDatabase(options: OpenOptions): Db {
  const db = new Database(options.path);
  try {
    configure(db, options);
    migrate(db, options.path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function configure(db: Db, options: OpenOptions): void {
  // Pruned space goes back to the file system (see SqliteRetention.reclaim). The mode can only
  // be chosen before the first table exists; an older database keeps reusing its free pages
  // without shrinking until a one-time VACUUM (docs/operations.md, "Retention").
  if (db.pragma("page_count", { simple: true }) === 0) db.pragma("auto_vacuum = INCREMENTAL");
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = OFF");
  // Large step outputs live in the page cache; 64 MiB keeps hot runs in memory.
  db.pragma("cache_size = -65536");
  db.pragma("temp_store = MEMORY");
}

/**
 * Applies the migrations this version knows and has not applied yet, each in a transaction.
 * A database that records a migration this version does not know was written by a newer Ingot,
 * whose tables this code may misread or damage: refuse it before touching anything.
 */
function migrate(db: Db, path: string): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const applied = new Set(
    db
      .prepare<[], { id: number }>("SELECT id FROM schema_migrations")
      .all()
      .map((row) => row.id),
  );
  const known = new Set(MIGRATIONS.map((migration) => migration.id));
  const unknown = [...applied].filter((id) => !known.has(id)).sort((a, b) => a - b);
  if (unknown.length > 0) {
    throw new SqliteStoreError(
      "schema_too_new",
      `the database ${path} has migrations this Ingot does not know (${unknown.join(", ")}): a newer version wrote it; run that version (or newer), or restore the backup taken before the upgrade`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(
        migration.id,
        migration.name,
        Date.now(),
      );
    })();
  }
}

interface PendingWrite {
  run: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Outcome {
  write: PendingWrite;
  ok: boolean;
  value: unknown;
}

export interface WriteOptions {
  /**
   * `false` for writes a crash may lose without harm (lease claims and extensions: an expired
   * lease is reclaimed anyway): they do not wait for an fsync of their own, only for the
   * durable writes committed before them, so they never settle ahead of those. Default `true`.
   */
  durable?: boolean;
}

/**
 * Group commit: writes queued during one turn of the event loop run in a single transaction,
 * each in its own savepoint so that one failing write does not undo the others.
 *
 * Durability without blocking: SQLite runs with `synchronous = NORMAL` (a commit writes the WAL
 * but does not fsync it) and the committer fsyncs the WAL file itself, on libuv's thread pool. A
 * durable write resolves only once an fsync that began after its commit has finished, which is
 * exactly what `synchronous = FULL` guarantees, but the event loop keeps running meanwhile and
 * one fsync covers every batch committed while the previous one was in progress. (Checkpoints
 * still sync the database file themselves, as in NORMAL mode.)
 */
export class GroupCommitter {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private closed = false;
  /**
   * Committed writes waiting for the next fsync to start: durable ones, and writes committed
   * after them, which settle in commit order.
   */
  private unsynced: Outcome[] = [];
  private syncing = false;
  /** Outcomes settled when the running fsync ends (or by close() if it comes first). */
  private inFlight: Outcome[] = [];
  private walFd: number | undefined;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;

  private readonly walPath: string | undefined;
  private readonly fdatasync: typeof fdatasync;

  constructor(
    private readonly db: Db,
    options: {
      /** The WAL file to fsync after commits; none for `:memory:` or `synchronous = normal`. */
      walPath?: string;
      /** Replaceable in tests. */
      fdatasync?: typeof fdatasync;
    } = {},
  ) {
    this.walPath = options.walPath;
    this.fdatasync = options.fdatasync ?? fdatasync;
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.savepoint = db.prepare("SAVEPOINT w");
    this.release = db.prepare("RELEASE w");
    this.rollbackTo = db.prepare("ROLLBACK TO w");
  }

  write<T>(run: () => T, options: WriteOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the SQLite store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        run,
        durable: options.durable ?? true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued now; used by `close()` too. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      this.begin.run();
      for (const write of batch) {
        this.savepoint.run();
        try {
          outcomes.push({ write, ok: true, value: write.run() });
          this.release.run();
        } catch (error) {
          this.rollbackTo.run();
          this.release.run();
          outcomes.push({ write, ok: false, value: error });
        }
      }
      this.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      for (const write of batch) write.reject(error);
      return;
    }
    for (const outcome of outcomes) {
      if (this.walPath === undefined || !outcome.ok) {
        settle(outcome); // nothing to fsync, or a failed write that changed nothing
      } else if (outcome.write.durable) {
        this.unsynced.push(outcome);
      } else if (this.unsynced.length > 0) {
        // Not durable itself, but it may depend on durable writes committed before it (a claim
        // of an item they enqueued): never settle it ahead of them.
        this.unsynced.push(outcome);
      } else if (this.inFlight.length > 0) {
        this.inFlight.push(outcome);
      } else {
        settle(outcome);
      }
    }
    this.syncWal();
  }

  /** Starts an fsync of the WAL for every write waiting for one, unless one is running. */
  private syncWal(): void {
    if (this.syncing || this.unsynced.length === 0 || this.closed) return;
    const waiting = this.unsynced;
    this.unsynced = [];
    let fd: number;
    try {
      fd = this.walFd ??= openSync(this.walPath!, "r");
    } catch (error) {
      for (const outcome of waiting) outcome.write.reject(error);
      return;
    }
    this.syncing = true;
    this.inFlight = waiting;
    this.fdatasync(fd, (error) => {
      this.syncing = false;
      this.inFlight = [];
      if (this.closed) {
        // close() synced and settled these already, and left the descriptor to us.
        closeSync(fd);
        return;
      }
      for (const outcome of waiting) {
        if (error && outcome.write.durable) outcome.write.reject(error);
        else settle(outcome);
      }
      this.syncWal();
    });
  }

  close(): void {
    this.flush();
    this.closed = true;
    const waiting = [...this.inFlight, ...this.unsynced];
    this.unsynced = [];
    this.inFlight = [];
    if (this.walFd !== undefined) {
      try {
        fdatasyncSync(this.walFd);
      } finally {
        // A running fdatasync still uses the descriptor; its callback closes it.
        if (!this.syncing) closeSync(this.walFd);
        this.walFd = undefined;
      }
    }
    for (const outcome of waiting) settle(outcome);
  }
}

function settle(outcome: Outcome): void {
  if (outcome.ok) outcome.write.resolve(outcome.value);
  else outcome.write.reject(outcome.value);
}
