import type { QueueItemId } from "@ingot/protocol";
import type { QueueLane } from "@ingot/store";
import { type QueueItem, type Store } from "@ingot/store";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";
import type { Dispatcher } from "./runner.js";

/**
 * Works on a claimed item. `signal` aborts when the work no longer matters: its run ended
 * (cancelled, failed, completed by another path) or its lease was lost to another node.
 */
export type ItemHandler = (item: QueueItem, signal: AbortSignal) => Promise<void>;

/** Called when a handler threw on the same item this many times in a row (a poison item). */
export type PoisonHandler = (item: QueueItem, error: unknown) => Promise<void>;

interface Active {
  item: QueueItem;
  abort: AbortController;
}

interface Lane {
  name: QueueLane;
  concurrency: number;
  active: Map<QueueItemId, Active>;
  /** Items leased to us but not started for lack of room. */
  backlog: QueueItem[];
  /**
   * The store may hold due items of this lane that nobody has claimed. While it does, new work
   * is not dispatched directly (canClaim is false) but queued behind them, so that direct
   * dispatch cannot starve older items.
   */
  waiting: boolean;
  wake?: () => void;
  pump?: Promise<void>;
}

export interface ExecutorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  owner: string;
  leaseMs: number;
  pollIntervalMs: number;
  concurrency: Record<QueueLane, number>;
  handle: ItemHandler;
  /** Notes when a run's item starts (see `RunTracer`). */
  onStart?: (item: QueueItem) => void;
  /** A handler threw `POISON_THRESHOLD` times in a row on one item: end it (fail its run). */
  onPoison?: PoisonHandler;
}

/**
 * Handler failures in a row after which an item is treated as poison. A throw is an Ingot-side
 * fault (database unavailable, a body that cannot be built): a few retries ride out transient
 * ones; a deterministic one must not retry forever.
 */
export const POISON_THRESHOLD = 5;

/**
 * Claims due queue items per lane and runs them, at most `concurrency` at a time per lane.
 * Sleeps until the earliest due item (or a notification), never polls in a tight loop; extends
 * the leases of items it holds and, on a shared store, reclaims items whose lease expired.
 */
export class Executor implements Dispatcher {
  readonly owner: string;
  private readonly lanes: Map<QueueLane, Lane>;
  private running = false;
  private leaseTimer?: NodeJS.Timeout;
  private idle: (() => void)[] = [];
  /** Consecutive handler failures per item (cleared when a handler returns). */
  private readonly failures = new Map<QueueItemId, number>();

  constructor(private readonly options: ExecutorOptions) {
    this.owner = options.owner;
    this.lanes = new Map(
      (Object.keys(options.concurrency) as QueueLane[]).map((name) => [
        name,
        {
          name,
          concurrency: options.concurrency[name],
          active: new Map(),
          backlog: [],
          waiting: true,
        },
      ]),
    );
  }

  async start(): Promise<void> {
    const { store, clock, leaseMs } = this.options;
    await store.queue.recover(this.owner, clock.now());
    this.running = true;
    for (const lane of this.lanes.values()) lane.pump = this.pump(lane);
    this.leaseTimer = setInterval(() => void this.maintainLeases(), renewEveryMs(leaseMs));
    this.leaseTimer.unref();
  }

  /**
   * Aborts the work in progress on these runs (their in-flight app requests and gateway calls):
   * the runs ended, and nothing they were doing may land or be paid for any more.
   */
  abortRuns(runIds: readonly string[], reason: string): number {
    if (runIds.length === 0) return 0;
    const ended = new Set(runIds);
    let aborted = 0;
    for (const lane of this.lanes.values()) {
      for (const active of lane.active.values()) {
        if (active.item.runId === null || !ended.has(active.item.runId)) continue;
        if (active.abort.signal.aborted) continue;
        active.abort.abort(new RunEndedError(reason));
        aborted++;
      }
    }
    return aborted;
  }

  /** Stops claiming, waits for running items (up to `graceMs`), releases the backlog. */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false;
    clearInterval(this.leaseTimer);
    for (const lane of this.lanes.values()) lane.wake?.();
    await Promise.all([...this.lanes.values()].map((lane) => lane.pump ?? Promise.resolve()));
    const drained = new Promise<void>((resolve) => {
      if (this.activeCount() === 0) resolve();
      else this.idle.push(resolve);
    });
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    const backlog = [...this.lanes.values()].flatMap((lane) => lane.backlog.splice(0));
    if (backlog.length > 0) {
      await this.options.store.queue.release({
        ids: backlog.map((item) => item.id),
        owner: this.owner,
        at: this.options.clock.now(),
      });
    }
  }

  canClaim(lane: QueueLane): boolean {
    const state = this.lanes.get(lane);
    return (
      this.running &&
      state !== undefined &&
      !state.waiting &&
      state.active.size + state.backlog.length < state.concurrency
    );
  }

  /** Items a commit enqueued: ours are started now, the others wake their lane's scheduler. */
  accept(items: readonly QueueItem[], woken: readonly QueueLane[] = []): void {
    for (const name of woken) this.notify(name);
    for (const item of items) {
      const lane = this.lanes.get(item.lane);
      if (!lane) continue;
      if (item.leaseOwner === this.owner) this.startOrQueue(lane, item);
      else this.notify(item.lane);
    }
  }

  /** Items of `lane` may be waiting in the store (enqueued here, or by another node). */
  notify(name: QueueLane): void {
    const lane = this.lanes.get(name);
    if (!lane) return;
    lane.waiting = true;
    lane.wake?.();
  }

  activeCount(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.active.size + lane.backlog.length;
    return count;
  }

  stats(): Record<string, { active: number; backlog: number }> {
    return Object.fromEntries(
      [...this.lanes.values()].map((lane) => [
        lane.name,
        { active: lane.active.size, backlog: lane.backlog.length },
      ]),
    );
  }

  private async pump(lane: Lane): Promise<void> {
    const { store, clock, leaseMs, logger } = this.options;
    while (this.running) {
      const room = lane.concurrency - lane.active.size - lane.backlog.length;
      const limit = Math.min(room, 256);
      let claimed: QueueItem[] = [];
      if (limit > 0) {
        try {
          claimed = await store.queue.claim({
            lanes: [lane.name],
            now: clock.now(),
            limit,
            owner: this.owner,
            leaseMs,
          });
        } catch (error) {
          logger.error({ err: error, lane: lane.name }, "claiming queue items failed");
        }
        // A short claim drained the due items; a full one may have left more behind.
        lane.waiting = claimed.length === limit;
        for (const item of claimed) this.startOrQueue(lane, item);
        if (claimed.length === limit) continue;
      }
      await this.sleep(lane, room > 0);
    }
  }

  /** Sleeps until the lane's next due item, a wake-up, or the poll interval. */
  private async sleep(lane: Lane, hasRoom: boolean): Promise<void> {
    const { store, clock, pollIntervalMs } = this.options;
    let delay = pollIntervalMs;
    if (hasRoom) {
      const next = await store.queue.nextDueAt([lane.name]).catch(() => undefined);
      if (next !== undefined) delay = Math.min(delay, Math.max(1, next - clock.now()));
    }
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        lane.wake = undefined;
        resolve();
      }
      lane.wake = done;
    });
  }

  private startOrQueue(lane: Lane, item: QueueItem): void {
    if (lane.active.size >= lane.concurrency) {
      lane.backlog.push(item);
      return;
    }
    const active: Active = { item, abort: new AbortController() };
    lane.active.set(item.id, active);
    void this.run(lane, active);
  }

  private async run(lane: Lane, { item, abort }: Active): Promise<void> {
    try {
      this.options.onStart?.(item);
      await this.options.handle(item, abort.signal);
      this.failures.delete(item.id);
    } catch (error) {
      await this.failed(item, error);
    } finally {
      lane.active.delete(item.id);
      const next = lane.backlog.shift();
      if (next) this.startOrQueue(lane, next);
      else lane.wake?.();
      if (this.activeCount() === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /**
   * A handler threw. Give the item back after a pause, so a transient failure (disk, database)
   * is retried; after `POISON_THRESHOLD` throws in a row, hand it to `onPoison` instead.
   */
  private async failed(item: QueueItem, error: unknown): Promise<void> {
    const { logger, store, clock, onPoison } = this.options;
    const count = (this.failures.get(item.id) ?? 0) + 1;
    logger.error(
      { err: error, item: item.id, kind: item.kind, runId: item.runId, failures: count },
      "queue item failed",
    );
    if (count >= POISON_THRESHOLD && onPoison) {
      this.failures.delete(item.id);
      try {
        await onPoison(item, error);
        return;
      } catch (poisonError) {
        logger.error({ err: poisonError, item: item.id }, "could not end a poison queue item");
      }
    }
    this.failures.set(item.id, count);
    if (this.failures.size > 10_000) this.failures.clear();
    await store.queue
      .release({ ids: [item.id], owner: this.owner, at: clock.now() + 1000 })
      .catch(() => undefined);
  }

  private holds(id: QueueItemId): boolean {
    for (const lane of this.lanes.values()) {
      if (lane.active.has(id) || lane.backlog.some((item) => item.id === id)) return true;
    }
    return false;
  }

  /**
   * Renews the leases of held items, and reaps other nodes' expired ones. An item whose lease is
   * gone was deleted (its run ended) or taken over after we stalled: its work is aborted, and its
   * backlog entry dropped, so it is neither finished twice nor reported again every round.
   */
  private async maintainLeases(): Promise<void> {
    const { store, clock, leaseMs, logger } = this.options;
    const ids = [...this.lanes.values()].flatMap((lane) => [
      ...lane.active.keys(),
      ...lane.backlog.map((item) => item.id),
    ]);
    try {
      if (ids.length > 0) {
        const missing = await store.queue.extend({
          ids,
          owner: this.owner,
          until: clock.now() + leaseMs,
        });
        // Items that finished while the extension waited for its commit are gone for a good
        // reason; their handlers may still be settling, so look again a moment later.
        let lost = missing.filter((id) => this.holds(id));
        if (lost.length > 0) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          lost = lost.filter((id) => this.holds(id));
        }
        if (lost.length > 0) {
          this.forget(lost);
          logger.warn(
            { lost: lost.length },
            "lost leases on queue items (their runs ended, or this node stalled past its lease); their work was stopped",
          );
        }
      }
      if (store.dialect !== "sqlite") await store.queue.reapExpired(clock.now());
    } catch (error) {
      logger.error({ err: error }, "lease maintenance failed");
    }
  }

  private forget(ids: readonly QueueItemId[]): void {
    const gone = new Set(ids);
    for (const lane of this.lanes.values()) {
      lane.backlog = lane.backlog.filter((item) => !gone.has(item.id));
      for (const [id, active] of lane.active) {
        if (gone.has(id) && !active.abort.signal.aborted)
          active.abort.abort(new RunEndedError("the queue item's lease was lost"));
      }
    }
  }
}

/** Why in-flight work was aborted: its run ended, or its item is no longer ours. */
export class RunEndedError extends Error {
  override readonly name = "RunEndedError";
}

/**
 * How often held leases are renewed: three times per lease, so two renewals in a row may fail
 * (a stalled event loop, a slow commit) before another node may take the item over.
 */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(250, Math.floor(leaseMs / 3));
}
