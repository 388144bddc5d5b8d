import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Changeset, CommitResult, Store } from "@ingot/store";
import { SqliteAiCalls } from "./ai-calls.js";
import { SqliteApps } from "./apps.js";
import { SqliteFlow } from "./flow.js";
import { ChangesetWriter } from "./commit.js";
import { type Db, GroupCommitter, openDatabase } from "./database.js";
import { SqliteEvents } from "./events.js";
import { QueueWriter, SqliteQueue } from "./queue.js";
import { Statements } from "./rows.js";
import { SqliteRuns } from "./runs.js";
import { SqliteRetention } from "./retention.js";
import { SqliteSessions } from "./sessions.js";
import { SqliteWaits } from "./waits.js";

export interface SqliteStoreOptions {
  /** Database file path, or ":memory:". */
  path: string;
  synchronous?: "full" | "normal";
  /** Clock used for row timestamps that the caller does not pass (invariant 5). */
  now?: () => number;
}

export class SqliteStore implements Store {
  readonly dialect = "sqlite" as const;
  readonly apps: SqliteApps;
  readonly events: SqliteEvents;
  readonly runs: SqliteRuns;
  readonly queue: SqliteQueue;
  readonly waits: SqliteWaits;
  readonly aiCalls: SqliteAiCalls;
  readonly flow: SqliteFlow;
  readonly sessions: SqliteSessions;
  readonly retention: SqliteRetention;
  private readonly queueWriter: QueueWriter;
  private readonly db: Db;
  private readonly writer: GroupCommitter;
  private readonly changesets: ChangesetWriter;
  private readonly now: () => number;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    // SQLite itself never fsyncs a commit; in `full` mode the group committer does, off the
    // event loop (see GroupCommitter).
    this.db = openDatabase({ path: options.path, synchronous: "normal" });
    const fsyncCommits = options.path !== ":memory:" && (options.synchronous ?? "full") === "full";
    this.now = options.now ?? Date.now;
    const sql = new Statements(this.db);
    this.writer = new GroupCommitter(this.db, {
      walPath: fsyncCommits ? `${options.path}-wal` : undefined,
    });
    const queueWriter = new QueueWriter(sql);
    this.apps = new SqliteApps(sql, this.writer);
    this.events = new SqliteEvents(sql, this.writer, queueWriter);
    this.runs = new SqliteRuns(sql);
    this.queue = new SqliteQueue(sql, this.writer, queueWriter);
    this.waits = new SqliteWaits(sql);
    this.aiCalls = new SqliteAiCalls(sql);
    this.flow = new SqliteFlow(sql, this.writer);
    this.sessions = new SqliteSessions(sql, this.writer);
    this.retention = new SqliteRetention(this.db, sql, this.writer);
    this.queueWriter = queueWriter;
    this.changesets = new ChangesetWriter(sql, queueWriter, this.events, this.aiCalls);
  }

  commit(changes: Changeset): Promise<CommitResult> {
    const now = this.now();
    return this.writer
      .write(
        () => {
          this.queueWriter.woken.clear();
          const enqueued = this.changesets.apply(changes, now);
          return { enqueued, woken: [...this.queueWriter.woken] };
        },
        changes.durable === false ? { durable: false } : {},
      )
      .then(
        ({ enqueued, woken }): CommitResult => ({ ok: true, enqueued, woken }),
        (error: unknown): CommitResult => {
          if (this.changesets.isAbort(error)) return { ok: false, reason: error.reason };
          throw error;
        },
      );
  }

  close(): Promise<void> {
    this.writer.close();
    this.db.close();
    return Promise.resolve();
  }
}
