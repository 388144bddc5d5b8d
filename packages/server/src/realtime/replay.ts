import type { RealtimeMessage } from "./schemas.js";

/**
 * How long and how much of a channel is kept for subscribers that connect after a publish (the
 * usual race: the app starts a run, then the browser asks for a token and connects).
 */
export interface ReplayLimits {
  /** Messages younger than this are replayed to a new subscriber. */
  windowMs: number;
  /** Per channel: the newest this many. */
  perChannel: number;
  /** All channels together: the channels published to least recently are dropped first. */
  total: number;
}

export const DEFAULT_REPLAY: ReplayLimits = { windowMs: 60_000, perChannel: 1_000, total: 100_000 };

export interface Retained {
  at: number;
  message: RealtimeMessage;
  text: string;
}

/** Recent messages of each channel, bounded in age, per channel and in total. */
export class ReplayBuffer {
  /** Map order = least recently published first (a publish moves its channel to the end). */
  private readonly channels = new Map<string, Retained[]>();
  private size = 0;

  constructor(private readonly limits: ReplayLimits = DEFAULT_REPLAY) {}

  add(entry: Retained): void {
    if (this.limits.perChannel <= 0) return;
    const channel = entry.message.channel;
    const kept = this.channels.get(channel) ?? [];
    this.channels.delete(channel);
    this.channels.set(channel, kept);
    kept.push(entry);
    this.size++;
    if (kept.length > this.limits.perChannel) {
      kept.shift();
      this.size--;
    }
    while (this.size > this.limits.total) this.evictOldestChannel();
  }

  /** Messages of `channel` on one of `topics`, published at `since` or later, oldest first. */
  since(channel: string, topics: ReadonlySet<string>, since: number): Retained[] {
    const kept = this.channels.get(channel);
    if (!kept) return [];
    return kept.filter((entry) => entry.at >= since && topics.has(entry.message.topic));
  }

  /** Drops what is older than the window. */
  sweep(now: number): void {
    const oldest = now - this.limits.windowMs;
    for (const [channel, kept] of this.channels) {
      let expired = 0;
      while (expired < kept.length && kept[expired]!.at < oldest) expired++;
      if (expired === 0) continue;
      kept.splice(0, expired);
      this.size -= expired;
      if (kept.length === 0) this.channels.delete(channel);
    }
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get messageCount(): number {
    return this.size;
  }

  private evictOldestChannel(): void {
    const first = this.channels.entries().next();
    if (first.done) return;
    const [channel, kept] = first.value;
    this.channels.delete(channel);
    this.size -= kept.length;
  }
}
