import type { QueueItemId } from "@ingot/protocol";
import type { QueueLane } from "@ingot/store";
import { type QueueItem, type Store } from "@ingot/store";
import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";
import type { Dispatcher } from "./runner.js";

export type ItemHandler = (item: QueueItem) => Promise<void>;

interface Lane {
  name: QueueLane;
  concurrency: number;
  active: Map<QueueItemId, QueueItem>;
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
}

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
    this.leaseTimer = setInterval(
      () => void this.maintainLeases(),
      Math.max(1000, Math.floor(leaseMs / 3)),
    );
    this.leaseTimer.unref();
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
    lane.active.set(item.id, item);
    void this.run(lane, item);
  }

  private async run(lane: Lane, item: QueueItem): Promise<void> {
    try {
      await this.options.handle(item);
    } catch (error) {
      this.options.logger.error(
        { err: error, item: item.id, kind: item.kind, runId: item.runId },
        "queue item failed",
      );
      // Give it back after a pause, so a transient failure (disk, database) is retried.
      await this.options.store.queue
        .release({ ids: [item.id], owner: this.owner, at: this.options.clock.now() + 1000 })
        .catch(() => undefined);
    } finally {
      lane.active.delete(item.id);
      const next = lane.backlog.shift();
      if (next) this.startOrQueue(lane, next);
      else lane.wake?.();
      if (this.activeCount() === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private holds(id: QueueItemId): boolean {
    for (const lane of this.lanes.values()) {
      if (lane.active.has(id) || lane.backlog.some((item) => item.id === id)) return true;
    }
    return false;
  }

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
        if (lost.length > 0) logger.warn({ lost: lost.length }, "lost leases on queue items");
      }
      if (store.dialect !== "sqlite") await store.queue.reapExpired(clock.now());
    } catch (error) {
      logger.error({ err: error }, "lease maintenance failed");
    }
  }
}
