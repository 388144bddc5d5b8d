/**
 * Live messages of a run for SSE subscribers: token deltas of AI calls while the function is
 * suspended, step completions, and the run's end. Messages carry a per-run sequence number, so
 * a client that reconnects with `Last-Event-ID` gets exactly what it missed.
 */
export interface StreamMessage {
  id: number;
  event: "ai.start" | "delta" | "ai.end" | "step" | "run";
  data: unknown;
}

type Listener = (message: StreamMessage) => void;

/** Carries a publish to every node (which each `deliver` it); set when nodes share Postgres. */
export type StreamForwarder = (runId: string, event: StreamMessage["event"], data: unknown) => void;

/** Channels without readers and without messages for this long are dropped. */
const IDLE_DROP_MS = 10 * 60_000;

interface RunChannel {
  next: number;
  buffer: StreamMessage[];
  listeners: Set<Listener>;
  lastAt: number;
  /** Set when the run ended: the channel is kept this long for late readers, then dropped. */
  expiresAt?: number;
}

export interface RunStreamsOptions {
  /** Messages kept per run for replay. */
  bufferSize?: number;
  /** How long a finished run's messages stay available (ms). */
  retainMs?: number;
  now?: () => number;
}

export class RunStreams {
  private readonly channels = new Map<string, RunChannel>();
  private readonly bufferSize: number;
  private readonly retainMs: number;
  private readonly now: () => number;
  private sweeper?: NodeJS.Timeout;
  private forward: StreamForwarder | undefined;

  constructor(options: RunStreamsOptions = {}) {
    this.bufferSize = options.bufferSize ?? 20_000;
    this.retainMs = options.retainMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** From now on, publishes go through `forward` to every node instead of straight to readers. */
  forwardTo(forward: StreamForwarder): void {
    this.forward = forward;
  }

  publish(runId: string, event: StreamMessage["event"], data: unknown): void {
    if (this.forward) this.forward(runId, event, data);
    else this.deliver(runId, event, data);
  }

  /**
   * Hands a message (published on this node or another) to this node's readers. AI messages
   * always open a channel (a reader may connect mid-stream and must get the start); step and
   * run messages only go to runs somebody watches here, so unwatched runs cost nothing.
   */
  deliver(runId: string, event: StreamMessage["event"], data: unknown): void {
    const watched = event === "ai.start" || event === "delta" || event === "ai.end";
    if (!watched && !this.channels.has(runId)) return;
    const channel = this.channel(runId);
    const message: StreamMessage = { id: channel.next++, event, data };
    channel.lastAt = this.now();
    channel.buffer.push(message);
    if (channel.buffer.length > this.bufferSize)
      channel.buffer.splice(0, channel.buffer.length - this.bufferSize);
    if (event === "run") channel.expiresAt = this.now() + this.retainMs;
    for (const listener of channel.listeners) listener(message);
  }

  /** Replays buffered messages after `afterId`, then delivers live ones until unsubscribed. */
  subscribe(runId: string, afterId: number, listener: Listener): () => void {
    const channel = this.channel(runId);
    for (const message of channel.buffer) if (message.id > afterId) listener(message);
    channel.listeners.add(listener);
    return () => {
      channel.listeners.delete(listener);
    };
  }

  /** Whether messages of the run are buffered on this node. */
  has(runId: string): boolean {
    return this.channels.has(runId);
  }

  /** Whether the run's end was published (so a subscriber can stop after the replay). */
  ended(runId: string): boolean {
    return this.channels.get(runId)?.expiresAt !== undefined;
  }

  start(): void {
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  get size(): number {
    return this.channels.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [runId, channel] of this.channels) {
      const expired = channel.expiresAt !== undefined && channel.expiresAt <= now;
      // A run that never ends (crashed node, very long sleep) must not pin its buffer forever.
      const idle = channel.lastAt + IDLE_DROP_MS <= now;
      if ((expired || idle) && channel.listeners.size === 0) {
        this.channels.delete(runId);
      }
    }
  }

  private channel(runId: string): RunChannel {
    let channel = this.channels.get(runId);
    if (!channel) {
      channel = { next: 1, buffer: [], listeners: new Set(), lastAt: this.now() };
      this.channels.set(runId, channel);
    }
    return channel;
  }
}
