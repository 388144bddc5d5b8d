import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

/** Bytes of the data directory's SQLite files (database, WAL, shared memory). */
export function fileBytes(dataDir: string): { db: number; wal: number; total: number } {
  const size = (name: string): number => {
    try {
      return statSync(join(dataDir, name)).size;
    } catch {
      return 0;
    }
  };
  const db = size("ingot.db");
  const wal = size("ingot.db-wal") + size("ingot.db-shm");
  return { db, wal, total: db + wal };
}

/** Pages in use (not free) × page size, as committed; readable while the server runs. */
export function usedBytes(dataDir: string): number {
  const db = new Database(join(dataDir, "ingot.db"), { readonly: true });
  try {
    const read = (name: string) => Number(db.pragma(name, { simple: true }));
    return (read("page_count") - read("freelist_count")) * read("page_size");
  } finally {
    db.close();
  }
}

/** Bytes per table, its indexes included (dbstat), largest first. */
export function bytesByTable(dataDir: string): { table: string; bytes: number }[] {
  const db = new Database(join(dataDir, "ingot.db"), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT COALESCE(m.tbl_name, s.name) AS tbl, SUM(s.pgsize) AS bytes
         FROM dbstat AS s LEFT JOIN sqlite_schema AS m ON m.name = s.name
         GROUP BY tbl ORDER BY bytes DESC`,
      )
      .all() as { tbl: string; bytes: number }[];
    return rows.map((row) => ({ table: row.tbl, bytes: Number(row.bytes) }));
  } finally {
    db.close();
  }
}

/** Moves every run and event `ageMs` into the past (a stopped server's database). */
export function ageRuns(dataDir: string, ageMs: number): void {
  const db = new Database(join(dataDir, "ingot.db"));
  try {
    db.transaction(() => {
      db.prepare("UPDATE events SET received_at = received_at - ?, ts = ts - ?").run(ageMs, ageMs);
      db.prepare(
        `UPDATE runs SET created_at = created_at - @age, started_at = started_at - @age,
           ended_at = ended_at - @age`,
      ).run({ age: ageMs });
      db.prepare("UPDATE history SET at = at - ?").run(ageMs);
    })();
  } finally {
    db.close();
  }
}

/** Columns holding a run or event id, which each copy suffixes to stay unique. */
const ID_COLUMNS = new Set(["id", "run_id", "event_id"]);
const RUN_TABLES = ["events", "runs", "steps", "history", "run_events", "ai_calls"];

/**
 * Copies every run's rows (run, steps, history, AI calls, event links and events) `copies`
 * times with suffixed ids, on a stopped server's database: a large, realistic backlog in
 * seconds instead of the minutes the SDK needs to make it.
 */
export function cloneRuns(dataDir: string, copies: number): void {
  const db = new Database(join(dataDir, "ingot.db"));
  try {
    for (let copy = 1; copy <= copies; copy++) {
      const suffix = `~${copy}`;
      db.transaction(() => {
        for (const table of RUN_TABLES) {
          const columns = (db.pragma(`table_info(${table})`) as { name: string }[])
            .map((column) => column.name)
            // history ids are generated; idempotency keys are unique per event
            .filter((name) => !(table === "history" && name === "id"));
          const values = columns.map((name) =>
            ID_COLUMNS.has(name)
              ? `${name} || @suffix`
              : name === "idempotency_key"
                ? "NULL"
                : name,
          );
          const original = table === "events" || table === "runs" ? "id" : "run_id";
          db.prepare(
            `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values.join(", ")} FROM ${table}
             WHERE ${original} NOT LIKE '%~%'`,
          ).run({ suffix });
        }
      })();
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

export type Row = Record<string, unknown>;

/** One completed run's rows, to copy elsewhere (the Postgres retention bench). */
export interface RunSample {
  run: Row;
  steps: Row[];
  history: Row[];
  /** Events linked to the run, then the run's `inngest/function.finished` event. */
  events: Row[];
}

export function sampleRun(dataDir: string): RunSample {
  const db = new Database(join(dataDir, "ingot.db"), { readonly: true });
  try {
    const run = db.prepare("SELECT * FROM runs WHERE status = 'Completed' LIMIT 1").get() as Row;
    const linked = db
      .prepare(
        "SELECT events.* FROM run_events JOIN events ON events.id = event_id WHERE run_id = ?",
      )
      .all(run.id) as Row[];
    const finished = db
      .prepare(
        "SELECT * FROM events WHERE name = 'inngest/function.finished' AND data LIKE ? LIMIT 1",
      )
      .get(`%${String(run.id)}%`) as Row | undefined;
    return {
      run,
      steps: db.prepare("SELECT * FROM steps WHERE run_id = ?").all(run.id) as Row[],
      history: db.prepare("SELECT * FROM history WHERE run_id = ?").all(run.id) as Row[],
      events: finished ? [...linked, finished] : linked,
    };
  } finally {
    db.close();
  }
}
