import { setTimeout as sleep } from "node:timers/promises";
import { type QueueItem, QueueLane } from "@ingot/store";
import pg from "pg";
import type { ReconnectOptions, Sql } from "./database.js";
import { isLane } from "./rows.js";

/** The channel a commit notifies (payload: the lane) when it makes queue items claimable. */
export const QUEUE_CHANNEL = "ingot_queue";

export type QueueListener = (lane: QueueLane) => void;

/**
 * The channel for everything else every node must hear at once: runs that ended (stop work in
 * progress on them) and app syncs (reload the function registry). Payload: JSON.
 */
export const CONTROL_CHANNEL = "ingot_control";

export type ControlMessage =
  | { kind: "runs.ended"; runIds: string[] }
  | { kind: "apps.changed" }
  /** Sent to listeners after a reconnect: messages may have been missed; look again. */
  | { kind: "resync" };

export type ControlListener = (message: ControlMessage) => void;

/** Postgres caps a payload at 8000 bytes: run ids (26 characters) go in chunks. */
const RUN_IDS_PER_MESSAGE = 200;

/** Queues a control message, delivered when (and only if) the transaction commits. */
export async function notifyControl(tx: Sql, message: ControlMessage): Promise<void> {
  const payloads =
    message.kind === "runs.ended"
      ? chunk(message.runIds, RUN_IDS_PER_MESSAGE).map((runIds) =>
          JSON.stringify({ kind: message.kind, runIds }),
        )
      : [JSON.stringify(message)];
  for (const payload of payloads) {
    await tx.query(`SELECT pg_notify('${CONTROL_CHANNEL}', $1)`, [payload]);
  }
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function parseControl(payload: string | undefined): ControlMessage | undefined {
  try {
    const value: unknown = JSON.parse(payload ?? "");
    if (value === null || typeof value !== "object" || !("kind" in value)) return undefined;
    if (value.kind === "apps.changed") return { kind: "apps.changed" };
    if (
      value.kind === "runs.ended" &&
      "runIds" in value &&
      Array.isArray(value.runIds) &&
      value.runIds.every((id) => typeof id === "string")
    )
      return { kind: "runs.ended", runIds: value.runIds };
  } catch {
    // not ours
  }
  return undefined;
}

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
  private readonly controlListeners = new Set<ControlListener>();
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
    return this.add(this.listeners, listener);
  }

  subscribeControl(listener: ControlListener): () => void {
    return this.add(this.controlListeners, listener);
  }

  private get subscribers(): number {
    return this.listeners.size + this.controlListeners.size;
  }

  private add<L>(set: Set<L>, listener: L): () => void {
    if (this.closed) throw new Error("the Postgres store is closed");
    set.add(listener);
    this.loop ??= this.listen().finally(() => {
      this.loop = undefined;
    });
    return () => {
      set.delete(listener);
      if (this.subscribers === 0) void this.client?.end().catch(() => undefined);
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
    this.controlListeners.clear();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async listen(): Promise<void> {
    let delay = this.retry.initialDelayMs;
    let reconnecting = false;
    while (!this.closed && this.subscribers > 0) {
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
          } else if (message.channel === CONTROL_CHANNEL) {
            const control = parseControl(message.payload);
            if (control) this.dispatchControl(control);
          }
        });
        await client.query(`LISTEN ${QUEUE_CHANNEL}`);
        await client.query(`LISTEN ${CONTROL_CHANNEL}`);
        this.markConnected();
        delay = this.retry.initialDelayMs;
        if (reconnecting) {
          for (const lane of Object.values(QueueLane)) this.dispatch(lane);
          this.dispatchControl({ kind: "resync" });
        }
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
      if (this.closed || this.subscribers === 0) break;
      await sleep(delay);
      delay = Math.min(delay * 2, this.retry.maxDelayMs);
    }
  }

  private markConnected(): void {
    this.connected = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private dispatchControl(message: ControlMessage): void {
    for (const listener of [...this.controlListeners]) {
      try {
        listener(message);
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
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
