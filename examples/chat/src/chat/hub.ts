/**
 * In-memory token streams of direct-path requests (the durable path streams from Ingot). A
 * channel keeps its events so a late or reconnecting subscriber replays them (`Last-Event-ID`),
 * and is dropped a minute after it ends — the same retention Ingot gives run streams.
 */
export type HubEvent =
  | { id: number; event: "delta"; text: string }
  | { id: number; event: "reset"; reason: string }
  | { id: number; event: "end" };

type Listener = (event: HubEvent) => void;

interface Channel {
  events: HubEvent[];
  listeners: Set<Listener>;
  ended: boolean;
}

const RETAIN_MS = 60_000;

export class StreamHub {
  private readonly channels = new Map<string, Channel>();
  private readonly timers = new Set<NodeJS.Timeout>();

  open(key: string): void {
    this.channels.set(key, { events: [], listeners: new Set(), ended: false });
  }

  has(key: string): boolean {
    return this.channels.has(key);
  }

  delta(key: string, text: string): void {
    this.push(key, (id) => ({ id, event: "delta", text }));
  }

  reset(key: string, reason: string): void {
    this.push(key, (id) => ({ id, event: "reset", reason }));
  }

  end(key: string): void {
    const channel = this.channels.get(key);
    if (!channel || channel.ended) return;
    this.push(key, (id) => ({ id, event: "end" }));
    channel.ended = true;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.channels.delete(key);
    }, RETAIN_MS);
    timer.unref();
    this.timers.add(timer);
  }

  /** Replays events after `afterId`, then delivers live ones; undefined if there is no channel. */
  subscribe(key: string, afterId: number, listener: Listener): (() => void) | undefined {
    const channel = this.channels.get(key);
    if (!channel) return undefined;
    for (const event of channel.events) if (event.id > afterId) listener(event);
    if (channel.ended) return () => undefined;
    channel.listeners.add(listener);
    return () => channel.listeners.delete(listener);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.channels.clear();
  }

  private push(key: string, make: (id: number) => HubEvent): void {
    const channel = this.channels.get(key);
    if (!channel || channel.ended) return;
    const event = make(channel.events.length + 1);
    channel.events.push(event);
    for (const listener of channel.listeners) listener(event);
  }
}
