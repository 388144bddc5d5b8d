import { summarize } from "../lib/stats.js";
import { sleep } from "./procs.js";

/**
 * The four workloads, shared by every peer so that each runs exactly the same load. A peer only
 * supplies primitives (run one 3-step workflow and await it, submit one without awaiting, accept
 * a batch of no-op items); the drivers here time them. Every peer's workflow bodies call
 * `stepBody` so steps are counted, and first-step latency is taken, the same way everywhere.
 */

export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  n: number;
}
export interface Throughput {
  runs: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  concurrency: number;
}
export interface IngestRate {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Items per call (1, or the batch size with a bulk API) and calls outstanding at once. */
  perCall: number;
  inFlight: number;
}
export interface Ingest {
  /** The headline: batched when the peer has a bulk API, else one item per call. */
  eventsPerSecond: number;
  single: IngestRate;
  batched?: IngestRate;
}
export interface FirstStep {
  p50: number;
  p99: number;
  n: number;
  /** Items whose first step had not started 30 s after the last submit (never faked as samples). */
  missing: number;
  ratePerSecond: number;
  seconds: number;
}

/** What a started peer offers; `bench()` turns it into the four workloads. */
export interface PeerPrimitives {
  /** Starts the 3-step workflow and resolves with its result (end to end). */
  runAndWait(): Promise<void>;
  /** Durably submits the 3-step workflow without awaiting it; `probe` goes to `stepBody`. */
  submit(probe: number): Promise<void>;
  /**
   * Durably accepts `count` no-op items in one call (`count` is 1 unless `bulk`). They must not
   * run during the measurement: Ingot's ingest bench accepts events that trigger no function.
   */
  accept(count: number): Promise<void>;
  /** Whether the peer has a bulk API. */
  bulk: boolean;
}

export interface PeerBench {
  latency3Steps(options: { runs: number }): Promise<Latency>;
  throughput(options: { runs: number; concurrency: number }): Promise<Throughput>;
  /**
   * One item per call with `senders` calls outstanding (default 64); with a bulk API also
   * `batch` items per call, `batchSenders` outstanding (default 4, as bench/ingest.ts does).
   */
  ingest(options: {
    events: number;
    batch: number;
    senders?: number;
    batchSenders?: number;
  }): Promise<Ingest>;
  firstStepLatency(options: { ratePerSecond: number; seconds: number }): Promise<FirstStep>;
}

/** A running peer: the four workloads, what to say about its setup, and how to tear it down. */
export interface StartedPeer extends PeerBench {
  notes: string[];
  stop(): Promise<void>;
}

let stepsRun = 0;
const firstStepAt = new Map<number, number>();

/**
 * Called at the start of every step body of every peer's workflow. `probe` is set only for the
 * first step of a first-step-latency item; the time is taken before any other work.
 */
export function stepBody(probe?: number | null): number {
  if (probe !== undefined && probe !== null && !firstStepAt.has(probe)) {
    firstStepAt.set(probe, performance.now());
  }
  stepsRun++;
  return 1;
}

export function bench(peer: PeerPrimitives): PeerBench {
  return {
    async latency3Steps({ runs }) {
      // Warm up connections and JIT, as bench/core.ts does for Ingot.
      for (let i = 0; i < 50; i++) await peer.runAndWait();
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await peer.runAndWait();
        samples.push(performance.now() - started);
      }
      return summarize(samples);
    },

    async throughput({ runs, concurrency }) {
      stepsRun = 0;
      const started = performance.now();
      await closedLoop(runs, concurrency, () => peer.runAndWait());
      const seconds = (performance.now() - started) / 1000;
      return { runs, steps: stepsRun, seconds, stepsPerSecond: stepsRun / seconds, concurrency };
    },

    async ingest({ events, batch, senders = 64, batchSenders = 4 }) {
      const rate = async (perCall: number, inFlight: number): Promise<IngestRate> => {
        const started = performance.now();
        await closedLoop(Math.ceil(events / perCall), inFlight, (i) =>
          peer.accept(Math.min(perCall, events - i * perCall)),
        );
        const seconds = (performance.now() - started) / 1000;
        return { events, seconds, eventsPerSecond: events / seconds, perCall, inFlight };
      };
      const single = await rate(1, senders);
      if (!peer.bulk) return { eventsPerSecond: single.eventsPerSecond, single };
      const batched = await rate(batch, batchSenders);
      return { eventsPerSecond: batched.eventsPerSecond, single, batched };
    },

    async firstStepLatency({ ratePerSecond, seconds }) {
      const total = Math.round(ratePerSecond * seconds);
      const base = 1_000_000 * Math.ceil(Math.random() * 1000); // probes unique across calls
      const submittedAt = new Map<number, number>();
      const submits: Promise<void>[] = [];
      const started = performance.now();
      // Open loop: item i is due at started + i / rate whatever happened to earlier items.
      for (let i = 0; i < total; i++) {
        const wait = started + (i * 1000) / ratePerSecond - performance.now();
        if (wait > 0) await sleep(wait);
        const probe = base + i;
        submittedAt.set(probe, performance.now());
        submits.push(peer.submit(probe));
      }
      await Promise.all(submits);
      const deadline = performance.now() + 30_000;
      while (countStarted(submittedAt) < total && performance.now() < deadline) await sleep(10);
      const samples: number[] = [];
      for (const [probe, submitted] of submittedAt) {
        const at = firstStepAt.get(probe);
        if (at !== undefined) samples.push(at - submitted);
        firstStepAt.delete(probe);
      }
      const { p50, p99, n } = summarize(samples);
      return { p50, p99, n, missing: total - n, ratePerSecond, seconds };
    },
  };
}

function countStarted(submitted: Map<number, number>): number {
  let count = 0;
  for (const probe of submitted.keys()) if (firstStepAt.has(probe)) count++;
  return count;
}

/** `total` calls of `fn`, with `concurrency` outstanding at any time. */
export async function closedLoop(
  total: number,
  concurrency: number,
  fn: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
}
