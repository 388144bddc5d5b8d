import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "@ingot/store-sqlite";
import { createServer } from "node:net";
import { Inngest } from "inngest";
import { serveFunctions, syncApp } from "./lib/app.js";
import type { EventCursor } from "@ingot/store";
import { type BenchServer, startIngot } from "./lib/ingot.js";
import { type LatencySample, steadyLoad } from "./lib/load.js";
import {
  ageRuns,
  bytesByTable,
  cloneRuns,
  fileBytes,
  type RunSample,
  sampleRun,
  usedBytes,
} from "./lib/sqlite-files.js";
import { fmt, summarize } from "./lib/stats.js";

export interface RetentionResult {
  /** Real runs of the 3-step function made through the SDK, and the bytes they added. */
  runs: number;
  bytesPerRun: number;
  /** The largest tables (indexes included) after those runs. */
  tables: { table: string; bytes: number }[];
  /** One of the runs, row by row (copied into Postgres by the Postgres part). */
  sample: RunSample;
  /** Their rows copied to this many runs, and the database file then. */
  clonedRuns: number;
  clonedFileBytes: number;
  /** The same backlog pruned batch by batch on a copy of the database, nothing else running. */
  alone: PruneAlone;
  /** The pass that pruned the whole backlog, as the server logged it. */
  pass: PassLog;
  /** File bytes once the pass gave pages back. */
  afterPassFileBytes: number;
  /** Latency of a steady load of 3-step runs: without pruning, and while the pass ran. */
  ratePerSecond: number;
  baseline: ReturnType<typeof summarize>;
  duringPass: ReturnType<typeof summarize>;
}

export interface PassLog {
  time: number;
  ms: number;
  busyMs: number;
  batches: number;
  longestBatchMs: number;
  runs: number;
  steps: number;
  history: number;
  events: number;
  reclaimedBytes: number;
}

export interface PruneAlone {
  rows: number;
  seconds: number;
  runBatch: ReturnType<typeof summarize> & { max: number; size: number };
  eventBatch: ReturnType<typeof summarize> & { max: number; size: number };
}

/** The server pruner's batch sizes (packages/server/src/retention/pruner.ts). */
const RUN_BATCH = 32;
const EVENT_BATCH = 300;

const EMPTY_SUMMARY = { p50: Number.NaN, p99: Number.NaN, mean: Number.NaN, n: 0 };

/**
 * Retention: disk used per run of a 3-step function (SQLite), and what pruning costs. Makes
 * `runs` real runs, copies their rows to `clonedRuns` runs on the stopped server's database and
 * moves them two hours into the past, then restarts it with `--retention 1h` under a steady load
 * and reads the pass that deletes that backlog from the server's log: rows per second, time per
 * batch, and the load's latency while it ran, against the same load on the same database
 * without retention. The load's own runs are younger than the retention: only the backlog goes.
 */
export async function benchRetention(options: {
  runs: number;
  clonedRuns: number;
  ratePerSecond: number;
  baselineSeconds: number;
}): Promise<RetentionResult> {
  const port = await freePort();
  const fixed = ["--port", String(port)];
  let server = await startIngot(fixed);
  const dataDir = server.dataDir;
  const inngest = new Inngest({ id: "bench-retention", isDev: true, baseUrl: server.url });
  const fn = inngest.createFunction(
    { id: "three-steps", retries: 0, triggers: [{ event: "bench/three" }] },
    async ({ step }) => {
      const a = await step.run("a", () => 1);
      const b = await step.run("b", () => a + 1);
      return await step.run("c", () => b + 1);
    },
  );
  const app = await serveFunctions(inngest, [fn]);
  try {
    await syncApp(server.url, app.url);
    const empty = usedBytes(dataDir);
    await completeRuns(server.url, options.runs);
    const bytesPerRun = (usedBytes(dataDir) - empty) / options.runs;
    const tables = bytesByTable(dataDir).slice(0, 6);
    const sample = sampleRun(dataDir);
    await server.stop();

    ageRuns(dataDir, 2 * 3_600_000);
    cloneRuns(dataDir, Math.max(0, Math.round(options.clonedRuns / options.runs) - 1));
    const clonedFileBytes = fileBytes(dataDir).total;
    const alone = await pruneAlone(dataDir);

    const event = (n: number) => ({ name: "bench/three", data: { n } });
    server = await startIngot(fixed, {}, { dataDir });
    const current = server;
    const base = steadyLoad({
      serverUrl: () => current.url,
      ratePerSecond: options.ratePerSecond,
      event,
    });
    // The first 5 s warm the server up (as before the pass, which starts 5 s after start).
    const measuredFrom = Date.now() + 5_000;
    await sleep(5_000 + options.baselineSeconds * 1000);
    const baseline = (await base.stop()).filter((sample) => sample.at >= measuredFrom);
    await server.stop();

    server = await startIngot(
      [...fixed, "--retention", "1h", "--log-level", "info"],
      {},
      {
        dataDir,
        captureLog: true,
      },
    );
    const pruning = server;
    const load = steadyLoad({
      serverUrl: () => pruning.url,
      ratePerSecond: options.ratePerSecond,
      event,
    });
    const pass = await backlogPass(pruning, options.clonedRuns);
    await sleep(2_000);
    const samples = await load.stop();
    const afterPassFileBytes = fileBytes(dataDir).total;
    return {
      runs: options.runs,
      bytesPerRun,
      tables,
      sample,
      clonedRuns: options.clonedRuns,
      clonedFileBytes,
      alone,
      pass,
      afterPassFileBytes,
      ratePerSecond: options.ratePerSecond,
      baseline: latency(baseline),
      duringPass: latency(
        samples.filter((s) => s.at + s.ms >= pass.time - pass.ms && s.at <= pass.time),
      ),
    };
  } finally {
    await app.close();
    await server.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Every batch of the backlog timed on its own, on a copy of the database (the store's own batch
 * sizes, as the server's pruner uses them, with no pauses and no other writes).
 */
async function pruneAlone(dataDir: string): Promise<PruneAlone> {
  const copy = mkdtempSync(join(tmpdir(), "ingot-bench-prune-"));
  try {
    copyFileSync(join(dataDir, "ingot.db"), join(copy, "ingot.db"));
    const store = new SqliteStore({ path: join(copy, "ingot.db") });
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
      rows,
      seconds,
      runBatch: batch(runTimes, RUN_BATCH),
      eventBatch: batch(eventTimes, EVENT_BATCH),
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Sends `runs` events in batches of 500 and waits until every run completed. */
async function completeRuns(url: string, runs: number): Promise<void> {
  for (let offset = 0; offset < runs; offset += 500) {
    const batch = Array.from({ length: Math.min(500, runs - offset) }, (_, i) => ({
      name: "bench/three",
      data: { n: offset + i },
    }));
    const response = await fetch(`${url}/e/bench`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch),
    });
    const { ids } = (await response.json()) as { ids: string[] };
    for (const id of ids) {
      const waited = await fetch(`${url}/v1/events/${id}/runs?wait_for=completion&timeout=120000`);
      const body = (await waited.json()) as { data: { status: string }[] };
      if (body.data[0]?.status !== "Completed") throw new Error(`run of ${id} did not complete`);
    }
  }
}

/** Waits for the server's log line of the pass that pruned at least `runs` runs. */
async function backlogPass(server: BenchServer, runs: number): Promise<PassLog> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const found = passLogs(server.log()).find((pass) => pass.runs >= runs);
    if (found) return found;
    await sleep(250);
  }
  throw new Error(`no pruning pass of ${runs} runs was logged within 10 minutes`);
}

export function passLogs(log: string): PassLog[] {
  return log
    .split("\n")
    .filter((line) => line.includes('"pruned old data"'))
    .map((line) => JSON.parse(line) as PassLog);
}

function latency(samples: LatencySample[]) {
  const ok = samples.filter((sample) => sample.ok).map((sample) => sample.ms);
  return ok.length > 0 ? summarize(ok) : EMPTY_SUMMARY;
}

export function describeRetention(r: RetentionResult): string[] {
  const mib = (bytes: number) => fmt(bytes / 1_048_576, 1);
  const rows = r.pass.runs + r.pass.steps + r.pass.history + r.pass.events;
  const a = r.alone;
  return [
    `retention, pruning alone:          ${a.rows} rows in ${fmt(a.seconds, 2)} s (${fmt(a.rows / a.seconds, 0)} rows/s); batch of ${a.runBatch.size} runs p50 ${fmt(a.runBatch.p50)} / p99 ${fmt(a.runBatch.p99)} / max ${fmt(a.runBatch.max)} ms; batch of ${a.eventBatch.size} events p50 ${fmt(a.eventBatch.p50)} / p99 ${fmt(a.eventBatch.p99)} / max ${fmt(a.eventBatch.max)} ms`,
    `retention, disk:                   ${fmt(r.bytesPerRun / 1024, 2)} KiB per 3-step run (${r.runs} real runs) = ${mib(r.bytesPerRun * 100_000)} MiB per 100,000 runs; ${r.clonedRuns} runs (copied rows): ${mib(r.clonedFileBytes)} MiB file`,
    `retention, pruning ${r.pass.runs} runs:     ${rows} rows in ${fmt(r.pass.busyMs / 1000, 2)} s of batches (${fmt(rows / (r.pass.busyMs / 1000), 0)} rows/s), ${r.pass.batches} batches, mean ${fmt(r.pass.busyMs / r.pass.batches, 1)} ms, longest ${fmt(r.pass.longestBatchMs, 1)} ms; pass ${fmt(r.pass.ms / 1000, 1)} s with pauses; file ${mib(r.clonedFileBytes)} → ${mib(r.afterPassFileBytes)} MiB (${mib(r.pass.reclaimedBytes)} MiB given back)`,
    `retention, latency at ${r.ratePerSecond} runs/s:    p50 ${fmt(r.baseline.p50)} / p99 ${fmt(r.baseline.p99)} ms without pruning (${r.baseline.n} runs); p50 ${fmt(r.duringPass.p50)} / p99 ${fmt(r.duringPass.p99)} ms during the pass (${r.duringPass.n} runs)`,
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
