import { fmt } from "../lib/stats.js";
import { startBullmq } from "./bullmq.js";
import { startDbos } from "./dbos.js";
import { ensurePeers, message, type PeerName } from "./install.js";
import { startRestate } from "./restate.js";
import type {
  FirstStep,
  Ingest,
  IngestRate,
  Latency,
  StartedPeer,
  Throughput,
} from "./workload.js";

export { ensurePeers } from "./install.js";

/** One peer configuration measured (or skipped) in this run. */
export interface PeerRun {
  id: "restate" | "dbos" | "bullmq" | "bullmq-durable";
  label: string;
  /** Versions actually used: installed packages and the servers' own `--version`. */
  versions: Record<string, string>;
  /** How the peer was set up (durability, co-location, what "ingest" means for it). */
  notes: string[];
  /** Set when the peer could not run at all: the bench prints it and never fakes a number. */
  skipped?: string;
  startSeconds?: number;
  latency?: Latency;
  throughput?: Throughput;
  firstStep?: FirstStep;
  ingest?: Ingest;
  /** Workloads that failed, by name, with the error. */
  errors: Record<string, string>;
}

export interface PeerResults {
  quick: boolean;
  sizes: Sizes;
  runs: PeerRun[];
}

interface Sizes {
  latencyRuns: number;
  throughputRuns: number;
  concurrency: number;
  ingestEvents: number;
  ingestBatch: number;
  firstStepRate: number;
  firstStepSeconds: number;
}

/** Workload sizes matching Ingot's own bench (bench/index.ts). */
export function peerSizes(quick: boolean): Sizes {
  return {
    latencyRuns: quick ? 100 : 500,
    throughputRuns: quick ? 300 : 3_000,
    concurrency: 64,
    ingestEvents: quick ? 3_000 : 20_000,
    ingestBatch: 500,
    firstStepRate: 100,
    firstStepSeconds: quick ? 2 : 10,
  };
}

const CONFIGS: {
  id: PeerRun["id"];
  peer: PeerName;
  label: string;
  start: () => Promise<StartedPeer>;
}[] = [
  { id: "restate", peer: "restate", label: "Restate", start: startRestate },
  { id: "dbos", peer: "dbos", label: "DBOS+PG", start: startDbos },
  {
    id: "bullmq-durable",
    peer: "bullmq",
    label: "BullMQ (Redis AOF fsync always)",
    start: () => startBullmq({ durable: true }),
  },
  {
    id: "bullmq",
    peer: "bullmq",
    label: "BullMQ (Redis non-durable)",
    start: () => startBullmq({ durable: false }),
  },
];

/**
 * Installs what is missing (first time only), then runs every available peer's four workloads,
 * one peer at a time, each on its own freshly started server. A peer that cannot be installed
 * or started is reported as skipped; a workload that fails is reported as failed.
 */
export async function runPeers(options: {
  quick: boolean;
  only?: PeerRun["id"][];
  log?: (line: string) => void;
}): Promise<PeerResults> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`[peers] ${line}\n`));
  const sizes = peerSizes(options.quick);
  const configs = CONFIGS.filter((config) => !options.only || options.only.includes(config.id));
  const availability = await ensurePeers(log, [...new Set(configs.map((config) => config.peer))]);
  const runs: PeerRun[] = [];
  for (const config of configs) {
    const available = availability[config.peer] ?? { available: false, reason: "not checked" };
    const run: PeerRun = {
      id: config.id,
      label: config.label,
      versions: available.available ? available.versions : {},
      notes: [],
      errors: {},
    };
    runs.push(run);
    if (!available.available) {
      run.skipped = available.reason;
      continue;
    }
    log(`${config.label}: starting`);
    const started = performance.now();
    let peer: StartedPeer;
    try {
      peer = await config.start();
    } catch (error) {
      run.skipped = `failed to start: ${message(error)}`;
      continue;
    }
    run.startSeconds = (performance.now() - started) / 1000;
    run.notes = peer.notes;
    const attempt = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
      log(`${config.label}: ${name}`);
      try {
        // A peer that stops answering (e.g. invocations retried forever) must not hang the bench.
        return await withTimeout(work(), options.quick ? 120_000 : 300_000);
      } catch (error) {
        run.errors[name] = message(error);
        return undefined;
      }
    };
    try {
      run.latency = await attempt("latency", () => peer.latency3Steps({ runs: sizes.latencyRuns }));
      run.throughput = await attempt("throughput", () =>
        peer.throughput({ runs: sizes.throughputRuns, concurrency: sizes.concurrency }),
      );
      run.firstStep = await attempt("first step", () =>
        peer.firstStepLatency({
          ratePerSecond: sizes.firstStepRate,
          seconds: sizes.firstStepSeconds,
        }),
      );
      // Last: accepted items keep executing after the measurement; the server is torn down next.
      run.ingest = await attempt("ingest", () =>
        peer.ingest({ events: sizes.ingestEvents, batch: sizes.ingestBatch }),
      );
    } finally {
      await withTimeout(peer.stop(), 30_000).catch((error: unknown) =>
        log(`${config.label}: stop: ${message(error)}`),
      );
    }
  }
  return { quick: options.quick, sizes, runs };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describeVersions(versions: Record<string, string>): string {
  return Object.entries(versions)
    .filter(([name]) => name !== "@restatedev/restate-server") // the binary's --version says it
    .map(([name, version]) => `${name} ${version}`)
    .join(", ");
}

/** One line per peer (setup and versions) and per metric. */
export function describePeers(results: PeerResults): string[] {
  const lines: string[] = [];
  for (const run of results.runs) {
    const name = `peer ${run.label}`.padEnd(38);
    if (run.skipped) {
      lines.push(`${name} skipped: ${run.skipped}`);
      continue;
    }
    lines.push(`${name} ${describeVersions(run.versions)}; ${run.notes.join("; ")}`);
    const metric = (label: string, text: string | undefined): void => {
      const error = run.errors[label];
      if (text) lines.push(`${name} ${text}`);
      else if (error) lines.push(`${name} ${label}: failed: ${error}`);
    };
    const { latency: l, throughput: t, firstStep: f, ingest: i } = run;
    metric(
      "latency",
      l &&
        `3-step run latency: p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms over ${l.n} sequential runs`,
    );
    metric(
      "throughput",
      t &&
        `throughput: ${fmt(t.stepsPerSecond, 0)} steps/s (${t.runs} runs, ${t.steps} steps, ${t.concurrency} in flight, ${fmt(t.seconds)} s)`,
    );
    // At 200 items/s the 3-step workflow offers 600 steps/s: say so when that is near or above
    // what the peer sustained in the throughput run, since queueing then dominates the latency.
    const offered = f && t ? (f.ratePerSecond * 3) / t.stepsPerSecond : 0;
    const load = offered > 0.8 ? `; offered load ${fmt(offered * 100, 0)}% of its throughput` : "";
    metric(
      "first step",
      f &&
        `first-step latency: p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms at ${f.ratePerSecond}/s for ${f.seconds} s (${f.n} items${f.missing ? `, ${f.missing} never started` : ""}${load})`,
    );
    const rate = (r: IngestRate): string =>
      `${fmt(r.eventsPerSecond, 0)} items/s (${r.events} items, ${r.perCall} per call, ${r.inFlight} calls in flight)`;
    metric(
      "ingest",
      i &&
        `ingest (accepted, not run): ${i.batched ? `batched ${rate(i.batched)}, single ` : ""}${rate(i.single)}`,
    );
  }
  return lines;
}

/** Ingot's figures for the same workloads, as measured by the lead's bench in the same run. */
export interface IngotFigures {
  latencyP50?: number;
  latencyP99?: number;
  stepsPerSecond?: number;
  /** Ingest, one event per request (bench/ingest.ts `singlePerSecond`). */
  ingestSinglePerSecond?: number;
  /** Ingest, batched requests (bench/ingest.ts `batchedPerSecond`). */
  ingestBatchedPerSecond?: number;
  firstStepP50?: number;
  firstStepP99?: number;
}

/**
 * Ingot ÷ peer per metric. For latencies below 1× means Ingot is faster; for rates above 1×
 * means Ingot does more per second. Metrics missing on either side are left out.
 */
export function compareWithPeers(ingot: IngotFigures, results: PeerResults): string[] {
  const lines: string[] = [];
  for (const run of results.runs) {
    if (run.skipped) continue;
    const pairs: [string, number | undefined, number | undefined, "ms" | "steps/s" | "items/s"][] =
      [
        ["3-step latency p50", ingot.latencyP50, run.latency?.p50, "ms"],
        ["3-step latency p99", ingot.latencyP99, run.latency?.p99, "ms"],
        ["throughput", ingot.stepsPerSecond, run.throughput?.stepsPerSecond, "steps/s"],
        [
          "ingest, one per call",
          ingot.ingestSinglePerSecond,
          run.ingest?.single.eventsPerSecond,
          "items/s",
        ],
        // A peer without a bulk API is compared at its best, one item per call.
        ["ingest, batched", ingot.ingestBatchedPerSecond, run.ingest?.eventsPerSecond, "items/s"],
        ["first-step p50", ingot.firstStepP50, run.firstStep?.p50, "ms"],
        ["first-step p99", ingot.firstStepP99, run.firstStep?.p99, "ms"],
      ];
    for (const [metric, ours, theirs, unit] of pairs) {
      if (ours === undefined || theirs === undefined || !(theirs > 0)) continue;
      const latency = unit === "ms";
      lines.push(
        `Ingot ÷ ${run.label}, ${metric}: ${fmt(ours / theirs)}× (${fmt(ours, latency ? 2 : 0)} vs ${fmt(theirs, latency ? 2 : 0)} ${unit}; ${latency ? "lower" : "higher"} is better)`,
      );
    }
  }
  return lines;
}
