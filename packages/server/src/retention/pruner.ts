import { setTimeout as sleep } from "node:timers/promises";
import type { EventCursor, Store } from "@ingot/store";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import { QueueKind } from "../queue-items.js";

/**
 * Sizes of one batch: each is one short transaction of a few hundred rows (32 runs of 3 steps
 * are ~350 rows with their history and links), a few ms on SQLite, during which other writes
 * wait (`npm run bench`, docs/operations.md "Retention").
 */
export const BATCH = { runs: 32, events: 300, sweep: 300 } as const;

/**
 * After each batch the pruner rests twice as long as the batch took, so a pass takes at most a
 * third of the database's time, and a server busy with runs falls behind by no more than that.
 */
const PAUSE_FACTOR = 2;

/**
 * Work that reads events by id after they were stored: routing, and debounce and batch windows.
 * Events received up to a minute before the oldest such item stay (a window's events were
 * routed into it after they arrived, usually within milliseconds).
 */
const EVENT_READERS = [QueueKind.Events, QueueKind.Debounce, QueueKind.Batch];
const READER_MARGIN_MS = 60_000;

/** Free pages kept for reuse rather than given back: at least this, or a tenth of the file. */
const KEEP_FREE_BYTES = 8 * 1024 * 1024;
/** Given back per write: moving 4 MiB of pages takes ~10 ms, then others write again. */
const RECLAIM_STEP_BYTES = 4 * 1024 * 1024;

export interface PassReport {
  runs: number;
  steps: number;
  history: number;
  aiCalls: number;
  waits: number;
  events: number;
  idempotencyKeys: number;
  flowState: number;
  sessions: number;
  reclaimedBytes: number;
  batches: number;
  /** Time spent inside batches (ms); the rest of `ms` is the pauses between them. */
  busyMs: number;
  /** The longest single batch (ms): how long other writes waited at most. */
  longestBatchMs: number;
  ms: number;
}

/**
 * Deletes what `--retention` no longer keeps, and expired housekeeping rows (event idempotency
 * keys, flow-control state, dashboard sessions) whether retention is on or not, then gives
 * SQLite's free pages back. A pass runs soon after start and then every `intervalMs`, in small
 * batches with a pause after each, so pruning never holds the database for long and leaves at
 * least two thirds of its time to the work. Any node may prune: the store makes concurrent
 * passes on one Postgres database take different rows.
 */
export class Pruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Set by `stop()`: no new pass, and a pass in progress ends after its current batch. */
  private stopped = false;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      logger: Logger;
      /** 0: keep runs and events forever (sweeps still run). */
      retentionMs: number;
    },
  ) {}

  /** Time between passes: a quarter of the retention, between 1 s and 1 min. */
  get intervalMs(): number {
    const { retentionMs } = this.deps;
    return retentionMs === 0 ? 60_000 : Math.min(60_000, Math.max(1_000, retentionMs / 4));
  }

  start(): void {
    this.stopped = false;
    this.schedule(Math.min(this.intervalMs, 5_000));
  }

  /** Stops scheduling and waits for a pass in progress to finish its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass now (also what the timer runs). */
  async pass(): Promise<PassReport> {
    const { store, clock, retentionMs } = this.deps;
    const started = performance.now();
    const report = emptyReport();
    const batch = this.batcher(report);
    const now = clock.now();
    if (retentionMs > 0) {
      const before = now - retentionMs;
      await batch(async () => {
        const pruned = await store.retention.pruneRuns({ before, limit: BATCH.runs });
        report.runs += pruned.runs;
        report.steps += pruned.steps;
        report.history += pruned.history;
        report.aiCalls += pruned.aiCalls;
        report.waits += pruned.waits;
        return pruned.runs === BATCH.runs;
      });
      let after: EventCursor | undefined;
      await batch(async () => {
        const pruned = await store.retention.pruneEvents({
          before,
          limit: BATCH.events,
          readers: EVENT_READERS,
          readerMarginMs: READER_MARGIN_MS,
          ...(after ? { after } : {}),
        });
        report.events += pruned.deleted;
        after = pruned.last;
        return pruned.scanned === BATCH.events;
      });
    }
    const sweep = (
      key: "idempotencyKeys" | "flowState" | "sessions",
      work: () => Promise<number>,
    ) =>
      batch(async () => {
        const swept = await work();
        report[key] += swept;
        return swept === BATCH.sweep;
      });
    await sweep("idempotencyKeys", () => store.retention.sweepEventKeys(now, BATCH.sweep));
    await sweep("flowState", () => store.flow.sweep(now, BATCH.sweep));
    await sweep("sessions", () => store.sessions.sweep(now, BATCH.sweep));
    if (deleted(report) > 0) await this.reclaim(report, batch);
    report.ms = performance.now() - started;
    return report;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.run().finally(() => {
        this.running = undefined;
        this.schedule(this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const { logger } = this.deps;
    try {
      const report = await this.pass();
      if (deleted(report) > 0) logger.info(roundTimes(report), "pruned old data");
    } catch (error) {
      // The next pass tries again; a closed store during shutdown is not worth a warning.
      if (!this.stopped) logger.warn({ err: error }, "pruning failed");
    }
  }

  /**
   * Runs `work` (one batch; true: there may be more) until it says done or the pruner stops,
   * pausing after each batch (`PAUSE_FACTOR`).
   */
  private batcher(report: PassReport) {
    return async (work: () => Promise<boolean>): Promise<void> => {
      for (;;) {
        if (this.stopped) return;
        const started = performance.now();
        const more = await work();
        const took = performance.now() - started;
        report.batches++;
        report.busyMs += took;
        report.longestBatchMs = Math.max(report.longestBatchMs, took);
        if (!more) return;
        await sleep(Math.max(1, took * PAUSE_FACTOR));
      }
    };
  }

  /** Gives free pages back beyond a reserve, when the backend can shrink its file. */
  private async reclaim(
    report: PassReport,
    batch: (work: () => Promise<boolean>) => Promise<void>,
  ): Promise<void> {
    const { retention } = this.deps.store;
    const usage = await retention.usage();
    if (!usage.shrinks) return;
    let excess = usage.freeBytes - Math.max(KEEP_FREE_BYTES, usage.bytes / 10);
    if (excess <= 0) return;
    await batch(async () => {
      const freed = await retention.reclaim(Math.min(excess, RECLAIM_STEP_BYTES));
      report.reclaimedBytes += freed;
      excess -= freed;
      return freed > 0 && excess > 0;
    });
  }
}

function emptyReport(): PassReport {
  return {
    runs: 0,
    steps: 0,
    history: 0,
    aiCalls: 0,
    waits: 0,
    events: 0,
    idempotencyKeys: 0,
    flowState: 0,
    sessions: 0,
    reclaimedBytes: 0,
    batches: 0,
    busyMs: 0,
    longestBatchMs: 0,
    ms: 0,
  };
}

function deleted(report: PassReport): number {
  return report.runs + report.events + report.idempotencyKeys + report.flowState + report.sessions;
}

function roundTimes(report: PassReport): PassReport {
  return {
    ...report,
    ms: Math.round(report.ms),
    busyMs: Math.round(report.busyMs),
    longestBatchMs: Math.round(report.longestBatchMs * 10) / 10,
  };
}
