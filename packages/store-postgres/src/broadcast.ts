import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { ReconnectOptions, Sql } from "./database.js";

/**
 * `NOTIFY` payloads must stay under 8,000 bytes. Messages are packed into payloads of at most
 * this many bytes; a bigger message is cut into fragments that the receivers put together again.
 */
const PAYLOAD_BYTES = 7_900;
/** Notifications sent in one statement: bounds one round trip, not the throughput. */
const BATCH_PAYLOADS = 512;
/**
 * Sends waiting for Postgres (it is slow or away): past this many, new ones fail at once
 * instead of growing the queue; a publisher sees the error, token deltas are dropped.
 */
const MAX_PENDING = 20_000;

export type BroadcastListener = (message: string) => void;

/**
 * Messages to every node that listens on one channel, through Postgres `NOTIFY` (no table, no
 * other service). Order: every node receives every message in one order, the order of the
 * commits, so a message sent after another was acknowledged arrives after it everywhere.
 * Delivery is at most once: while a node's listening connection is down, what is sent is lost
 * to that node.
 *
 * `send` batches: the messages queued while one statement is in flight go out together in the
 * next (one `pg_notify` per payload, one autocommit statement per batch), so a thousand small
 * messages cost a few round trips, not a thousand.
 */
export class PostgresBroadcast {
  private readonly listeners = new Set<BroadcastListener>();
  private readonly pending: { payloads: string[]; done: () => void; fail: (e: Error) => void }[] =
    [];
  private flushing = false;
  private client: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private connected = false;
  private waiting: (() => void)[] = [];
  /** Fragments of big messages, keyed by message id, until the last one arrives. */
  private readonly partial = new Map<string, string[]>();

  constructor(
    private readonly channel: string,
    private readonly sql: Sql,
    private readonly config: pg.ClientConfig,
    private readonly retry: Required<Pick<ReconnectOptions, "initialDelayMs" | "maxDelayMs">>,
    private readonly onError: (error: Error) => void,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name: ${channel}`);
  }

  /** Resolves once the messages are committed (so they reach every listening node, in order). */
  send(messages: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the Postgres store is closed"));
    if (messages.length === 0) return Promise.resolve();
    if (this.pending.length >= MAX_PENDING) {
      return Promise.reject(
        new Error(`${MAX_PENDING} broadcasts are waiting for Postgres; is it reachable?`),
      );
    }
    const payloads = encode(messages);
    return new Promise((done, fail) => {
      this.pending.push({ payloads, done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  subscribe(listener: BroadcastListener): () => void {
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

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = takeBatch(this.pending);
        try {
          await this.sql.query(
            `SELECT pg_notify('${this.channel}', payload) FROM unnest($1::text[]) AS payload`,
            [batch.flatMap((entry) => entry.payloads)],
          );
          for (const entry of batch) entry.done();
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const entry of batch) entry.fail(failure);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async listen(): Promise<void> {
    let delay = this.retry.initialDelayMs;
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
          if (message.channel === this.channel && message.payload !== undefined)
            this.receive(message.payload);
        });
        await client.query(`LISTEN ${this.channel}`);
        this.connected = true;
        for (const resolve of this.waiting.splice(0)) resolve();
        delay = this.retry.initialDelayMs;
        await ended;
      } catch (error) {
        if (!this.closed) this.onError(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.connected = false;
        this.client = undefined;
        this.partial.clear();
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

  private receive(payload: string): void {
    const messages = decode(payload, this.partial);
    for (const message of messages) {
      for (const listener of [...this.listeners]) {
        try {
          listener(message);
        } catch (error) {
          this.onError(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
  }
}

function takeBatch<T extends { payloads: string[] }>(pending: T[]): T[] {
  let count = 0;
  let take = 0;
  while (
    take < pending.length &&
    (take === 0 || count + pending[take]!.payloads.length <= BATCH_PAYLOADS)
  ) {
    count += pending[take]!.payloads.length;
    take++;
  }
  return pending.splice(0, take);
}

/**
 * Payload formats: `M<json array of message strings>` carries whole messages;
 * `F<id>:<index>:<count>:<text>` one fragment of a big one.
 */
export function encode(messages: readonly string[]): string[] {
  const payloads: string[] = [];
  let packed: string[] = [];
  let bytes = 3;
  const seal = (): void => {
    if (packed.length > 0) payloads.push(`M${JSON.stringify(packed)}`);
    packed = [];
    bytes = 3;
  };
  for (const message of messages) {
    const size = Buffer.byteLength(JSON.stringify(message)) + 1;
    if (size + 3 > PAYLOAD_BYTES) {
      seal();
      payloads.push(...fragments(message));
      continue;
    }
    if (bytes + size > PAYLOAD_BYTES) seal();
    packed.push(message);
    bytes += size;
  }
  seal();
  return payloads;
}

function fragments(message: string): string[] {
  const id = randomBytes(8).toString("hex");
  const pieces = splitUtf8(message, PAYLOAD_BYTES - 64);
  return pieces.map((piece, index) => `F${id}:${index}:${pieces.length}:${piece}`);
}

/** Cuts `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length;) {
    const code = text.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    const units = code >= 0x10000 ? 2 : 1;
    if (bytes + width > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += width;
    i += units;
  }
  pieces.push(text.slice(start));
  return pieces;
}

export function decode(payload: string, partial: Map<string, string[]>): string[] {
  if (payload.startsWith("M")) {
    const parsed: unknown = JSON.parse(payload.slice(1));
    return Array.isArray(parsed)
      ? parsed.filter((item): item is string => typeof item === "string")
      : [];
  }
  const match = /^F([0-9a-f]+):(\d+):(\d+):/.exec(payload);
  if (!match) return [];
  const [head, id = "", index = "", count = ""] = match;
  const pieces = partial.get(id) ?? [];
  if (Number(index) !== pieces.length) {
    // A fragment went missing (the connection dropped between two): the message is lost.
    partial.delete(id);
    return [];
  }
  pieces.push(payload.slice(head.length));
  if (pieces.length < Number(count)) {
    partial.set(id, pieces);
    return [];
  }
  partial.delete(id);
  return [pieces.join("")];
}
