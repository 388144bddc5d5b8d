import { setTimeout as sleep } from "node:timers/promises";
import { type QueueItem, QueueLane } from "@ingot/store";
import pg from "pg";
import type { ReconnectOptions, Sql } from "./database.js";
import { isLane } from "./rows.js";

/** The channel a commit notifies (payload: the lane) when it makes queue items claimable. */
export const QUEUE_CHANNEL = "ingot_queue";

export type QueueListener = (lane: QueueLane) => void;

/** Lanes of the items that a claimer could take at `now`. */
export function dueLanes(items: readonly QueueItem[], now: number): QueueLane[] {
  const lanes = new Set<QueueLane>();
  for (const item of items) {
    if (item.leaseOwner === null && item.availableAt <= now) lanes.add(item.lane);
  }
  return [...lanes];
}

/**
 * Queues one notification per lane, delivered by Postgres when (and only if) the transaction
 * commits; identical notifications of one transaction are folded into one.
 */
export async function notifyLanes(tx: Sql, lanes: readonly QueueLane[]): Promise<void> {
  if (lanes.length === 0) return;
  await tx.query(`SELECT pg_notify('${QUEUE_CHANNEL}', lane) FROM unnest($1::text[]) AS lane`, [
    [...new Set(lanes)],
  ]);
}

/**
 * One dedicated connection (outside the pool) that `LISTEN`s on `ingot_queue` while anyone is
 * subscribed. When the connection drops it reconnects with backoff, and on reconnecting calls
 * every listener once per lane: notifications sent while it was away are lost, so subscribers
 * must look again.
 */
export class QueueNotifications {
  private readonly listeners = new Set<QueueListener>();
  private client: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private connected = false;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly retry: Required<Pick<ReconnectOptions, "initialDelayMs" | "maxDelayMs">>,
    private readonly onError: (error: Error) => void,
  ) {}

  subscribe(listener: QueueListener): () => void {
    if (this.closed) throw new Error("the Postgres store is closed");
    this.listeners.add(listener);
    this.loop ??= this.listen().finally(() => {
      this.loop = undefined;
    });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.client?.end().catch(() => undefined);
    };
  }

  /** Resolves once `LISTEN` is active (immediately if it is). */
  whenListening(): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error("the Postgres store is closed"));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async listen(): Promise<void> {
    let delay = this.retry.initialDelayMs;
    let reconnecting = false;
    while (!this.closed && this.listeners.size > 0) {
      const client = new pg.Client(this.config);
      this.client = client;
      const ended = new Promise<void>((resolve) => {
        client.on("error", (error) => {
          this.onError(error);
          resolve();
        });
        client.on("end", () => resolve());
      });
      try {
        await client.connect();
        client.on("notification", (message) => {
          if (message.channel === QUEUE_CHANNEL && isLane(message.payload)) {
            this.dispatch(message.payload);
          }
        });
        await client.query(`LISTEN ${QUEUE_CHANNEL}`);
        this.markConnected();
        delay = this.retry.initialDelayMs;
        if (reconnecting) for (const lane of Object.values(QueueLane)) this.dispatch(lane);
        reconnecting = true;
        await ended;
      } catch (error) {
        if (!this.closed) this.onError(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.connected = false;
        this.client = undefined;
        // A connection that never came up may never answer a goodbye: do not wait long for it.
        await Promise.race([
          client.end().catch(() => undefined),
          sleep(1_000, undefined, { ref: false }),
        ]);
      }
      if (this.closed || this.listeners.size === 0) break;
      await sleep(delay);
      delay = Math.min(delay * 2, this.retry.maxDelayMs);
    }
  }

  private markConnected(): void {
    this.connected = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private dispatch(lane: QueueLane): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(lane);
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
