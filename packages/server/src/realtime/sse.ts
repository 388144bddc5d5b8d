import type { SSEStreamingApi } from "hono/streaming";
import { type Subscriber, type SubscriberLimits, tooSlowReason } from "./subscriber.js";

let nextId = 1_000_000_000;

/**
 * An SSE subscriber (`GET /v1/realtime/sse`): `data: <message JSON>` per message, `:` comments
 * as keepalives, as Inngest's server writes them. Writes go through a queue bounded in bytes;
 * a reader that lets it fill is dropped (the response ends after a last `closing` message that
 * it may or may not read).
 */
export class SseSubscriber implements Subscriber {
  readonly id = nextId++;
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  /** Why the subscriber was closed, if it was. */
  reason: string | undefined;

  constructor(
    private readonly stream: SSEStreamingApi,
    private readonly limits: SubscriberLimits,
    private readonly onClose: () => void,
    /** Cuts the connection (a reader that stopped reading never lets a write finish). */
    private readonly destroy: () => void,
  ) {
    stream.onAbort(() => this.finish());
  }

  send(text: string): void {
    if (this.closed) return;
    if (this.queuedBytes + text.length > this.limits.maxBufferedBytes) {
      this.close(4008, tooSlowReason(this.limits));
      return;
    }
    this.push(`data: ${text}\n\n`);
  }

  ping(): void {
    if (!this.closed) this.push(":\n\n");
  }

  close(_code: number, reason: string): void {
    if (this.closed) return;
    this.reason = reason;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.finish();
    setTimeout(() => this.destroy(), this.limits.closeGraceMs).unref();
  }

  /** Writes queued messages until the reader goes away or the subscriber is closed. */
  async pump(): Promise<void> {
    while (!this.closed || this.queue.length > 0) {
      const next = this.queue.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      this.queuedBytes -= next.length;
      await this.stream.write(next);
    }
    if (this.reason !== undefined) {
      const closing = { kind: "closing", data: this.reason, created_at: new Date().toISOString() };
      await this.stream.write(`data: ${JSON.stringify(closing)}\n\n`).catch(() => undefined);
    }
  }

  private push(text: string): void {
    this.queue.push(text);
    this.queuedBytes += text.length;
    this.wake?.();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.wake?.();
  }
}
