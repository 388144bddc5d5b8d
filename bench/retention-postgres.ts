import type { EventCursor } from "@ingot/store";
import { PostgresStore } from "@ingot/store-postgres";
import pg from "pg";
import { TestPostgres } from "../packages/store-postgres/test/postgres.js";
import type { Row, RunSample } from "./lib/sqlite-files.js";
import { fmt, summarize } from "./lib/stats.js";

export interface PostgresRetentionResult {
  runs: number;
  /** Tables and indexes of the run data (pg_total_relation_size), per 100,000 runs. */
  bytesPer100k: number;
  rows: number;
  seconds: number;
  runBatch: ReturnType<typeof summarize> & { max: number; size: number };
  eventBatch: ReturnType<typeof summarize> & { max: number; size: number };
}

const TABLES = ["runs", "steps", "history", "events", "run_events"];
const ID_COLUMNS = new Set(["id", "run_id", "event_id"]);
/** SQLite names that differ in Postgres ("user" is reserved there). */
const RENAMED: Record<string, string> = { user: "user_data" };
const RUN_BATCH = 32;
const EVENT_BATCH = 300;

/**
 * Retention on Postgres: a real 3-step run's rows (from the SQLite part) copied `runs` times,
 * two hours old, then pruned by the store batch by batch as the server's pruner does (nothing
 * else running): disk per 100,000 runs and rows per second.
 */
export async function benchRetentionPostgres(options: {
  sample: RunSample;
  runs: number;
}): Promise<PostgresRetentionResult> {
  const server = await TestPostgres.start();
  try {
    const db = await server.createDatabase();
    const store = await PostgresStore.open({ connectionString: db.url, max: 2 });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const size = async () =>
        Number(
          (
            await client.query<{ bytes: string }>(
              `SELECT SUM(pg_total_relation_size(t::regclass)) AS bytes FROM unnest($1::text[]) AS t`,
              [TABLES],
            )
          ).rows[0]?.bytes ?? 0,
        );
      const empty = await size();
      await seed(client, options.sample, options.runs);
      await client.query("ANALYZE");
      const bytesPer100k = ((await size()) - empty) * (100_000 / options.runs);
      const before = Date.now();
      const runTimes: number[] = [];
      const eventTimes: number[] = [];
      let rows = 0;
      const started = performance.now();
      for (;;) {
        const t = performance.now();
        const pruned = await store.retention.pruneRuns({ before, limit: RUN_BATCH });
        runTimes.push(performance.now() - t);
        rows += pruned.runs + pruned.steps + pruned.history + pruned.aiCalls + pruned.waits;
        if (pruned.runs < RUN_BATCH) break;
      }
      let after: EventCursor | undefined;
      for (;;) {
        const t = performance.now();
        const pruned = await store.retention.pruneEvents({
          before,
          limit: EVENT_BATCH,
          readers: [],
          readerMarginMs: 0,
          ...(after ? { after } : {}),
        });
        eventTimes.push(performance.now() - t);
        rows += pruned.deleted;
        after = pruned.last;
        if (pruned.scanned < EVENT_BATCH) break;
      }
      const seconds = (performance.now() - started) / 1000;
      await store.close();
      const batch = (times: number[], size: number) => ({
        ...summarize(times),
        max: Math.max(...times),
        size,
      });
      return {
        runs: options.runs,
        bytesPer100k,
        rows,
        seconds,
        runBatch: batch(runTimes, RUN_BATCH),
        eventBatch: batch(eventTimes, EVENT_BATCH),
      };
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

/** Inserts `copies` of every sample row, ids suffixed with the copy's number, 2 h in the past. */
async function seed(client: pg.Client, sample: RunSample, copies: number): Promise<void> {
  const age = Date.now() - 2 * 3_600_000 - Number(sample.run.ended_at);
  const shifted = (row: Row, columns: string[]): Row => {
    const copy = { ...row };
    for (const column of columns)
      if (typeof copy[column] === "number") copy[column] = Number(copy[column]) + age;
    return copy;
  };
  const plan: [string, Row][] = [
    ...sample.events.map((row): [string, Row] => [
      "events",
      shifted({ ...row, idempotency_key: null }, ["received_at", "ts"]),
    ]),
    ["runs", shifted(sample.run, ["created_at", "started_at", "ended_at"])],
    ...sample.steps.map((row): [string, Row] => ["steps", row]),
    ...sample.history.map((row): [string, Row] => ["history", shifted(row, ["at"])]),
    ...sample.events
      .slice(0, -1)
      .map((row): [string, Row] => ["run_events", { event_id: row.id, run_id: sample.run.id }]),
  ];
  for (const [table, row] of plan) {
    const types = new Map(
      (
        await client.query<{ column_name: string; data_type: string }>(
          "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1",
          [table],
        )
      ).rows.map((column) => [column.column_name, column.data_type]),
    );
    const columns: string[] = [];
    const values: unknown[] = [];
    const exprs: string[] = [];
    for (const [name, value] of Object.entries(row)) {
      const column = RENAMED[name] ?? name;
      const type = types.get(column);
      if (type === undefined || (table === "history" && column === "id")) continue;
      columns.push(column);
      values.push(type === "boolean" ? value === 1 || value === true : value);
      const param = `$${values.length + 1}::${type}`;
      exprs.push(ID_COLUMNS.has(column) ? `${param} || '~' || i` : param);
    }
    await client.query(
      `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${exprs.join(", ")} FROM generate_series(1, $1::int) AS i`,
      [copies, ...values],
    );
  }
}

export function describeRetentionPostgres(r: PostgresRetentionResult): string {
  return `retention on Postgres:              ${fmt(r.bytesPer100k / 1_048_576, 1)} MiB per 100,000 runs; pruning ${r.runs} runs alone: ${r.rows} rows in ${fmt(r.seconds, 1)} s (${fmt(r.rows / r.seconds, 0)} rows/s); batch of ${r.runBatch.size} runs p50 ${fmt(r.runBatch.p50)} / p99 ${fmt(r.runBatch.p99)} ms; batch of ${r.eventBatch.size} events p50 ${fmt(r.eventBatch.p50)} / p99 ${fmt(r.eventBatch.p99)} ms`;
}
