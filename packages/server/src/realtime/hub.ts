import { isTerminal, RunId } from "@ingot/protocol";
import type { Store } from "@ingot/store";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { RunStreams, StreamMessage } from "../streams.js";
import type { BusEnvelope, RealtimeBus } from "./bus.js";
import { DEFAULT_REPLAY, ReplayBuffer, type ReplayLimits } from "./replay.js";
import { runChannelMessage } from "./run-channel.js";
import { type RealtimeMessage, runIdOfChannel, type TokenTopic } from "./schemas.js";
import type { Subscriber } from "./subscriber.js";

/** Keepalive period, as Inngest's broadcaster; also bounds how long a dead socket lingers. */
const PING_MS = 15_000;
/** How long a finished run's own `run` message may lag the commit that ended it. */
const END_GRACE_MS = 1_000;
/** Runs whose function id is remembered for the `fn_id` of their messages. */
const FUNCTION_CACHE = 10_000;

export interface HubDeps {
  bus: RealtimeBus;
  streams: RunStreams;
  store: Store;
  clock: Clock;
  logger: Logger;
  replay?: ReplayLimits;
}

interface Subscription {
  subscriber: Subscriber;
  /** Topics per channel this subscriber reads. */
  topics: Map<string, Set<string>>;
  /** Run channels are read from `RunStreams`: what to call to stop. */
  detachRuns: (() => void)[];
}

/**
 * Realtime on one node: who subscribes to what, what was published lately (replay), and the
 * fan-out of every message the bus delivers (published on this node or any other) to the
 * subscribers of its channel and topic, in delivery order. A message is serialized once, for
 * all of its subscribers.
 */
export class RealtimeHub {
  private readonly byChannel = new Map<string, Set<Subscription>>();
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly replay: ReplayBuffer;
  private readonly replayWindowMs: number;
  private readonly functions = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private published = 0;
  private delivered = 0;

  constructor(private readonly deps: HubDeps) {
    this.replay = new ReplayBuffer(deps.replay ?? DEFAULT_REPLAY);
    this.replayWindowMs = (deps.replay ?? DEFAULT_REPLAY).windowMs;
    deps.bus.listen((envelope) => this.receive(envelope));
  }

  async start(): Promise<void> {
    const { bus, streams, logger } = this.deps;
    if (bus.shared) {
      // Another node may be the one a reader of this run is connected to.
      let dropped = 0;
      let warnedAt = 0;
      streams.forwardTo((run, e, d) => {
        bus.send([{ t: "r", run, e, d }]).catch((error: unknown) => {
          // One line per 10 s while Postgres is away, not one per token.
          dropped++;
          const now = this.deps.clock.now();
          if (now - warnedAt < 10_000) return;
          warnedAt = now;
          logger.warn({ err: error, dropped }, "realtime: run messages were not sent");
          dropped = 0;
        });
      });
    }
    await bus.start();
    this.timer = setInterval(() => this.tick(), PING_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const subscription of [...this.subscriptions.values()]) {
      subscription.subscriber.close(1001, "server shutting down");
      this.detach(subscription.subscriber.id);
    }
    await this.deps.bus.stop();
  }

  /** Resolves once the messages are ordered for every node (see `RealtimeBus.send`). */
  publish(messages: readonly RealtimeMessage[]): Promise<void> {
    this.published += messages.length;
    return this.deps.bus.send(messages.map((m) => ({ t: "m", m })));
  }

  /**
   * Starts delivering the topics to `subscriber`: first what the replay window holds (for a run
   * channel, the run's buffered stream, and its end if it ended unwatched), then live messages.
   */
  async attach(subscriber: Subscriber, topics: readonly TokenTopic[]): Promise<void> {
    const subscription: Subscription = {
      subscriber,
      topics: groupByChannel(topics),
      detachRuns: [],
    };
    this.subscriptions.set(subscriber.id, subscription);
    const since = this.deps.clock.now() - this.replayWindowMs;
    for (const [channel, names] of subscription.topics) {
      const runId = runIdOfChannel(channel);
      if (runId !== undefined) {
        await this.attachRun(subscription, runId, names);
        continue;
      }
      let set = this.byChannel.get(channel);
      if (!set) this.byChannel.set(channel, (set = new Set()));
      set.add(subscription);
      for (const entry of this.replay.since(channel, names, since)) subscriber.send(entry.text);
    }
  }

  /** Adds topics to a live subscription (a `sub` message with another token). */
  async extend(subscriber: Subscriber, topics: readonly TokenTopic[]): Promise<void> {
    const current = this.subscriptions.get(subscriber.id);
    if (!current) return this.attach(subscriber, topics);
    const fresh = topics.filter((topic) => !current.topics.get(topic.channel)?.has(topic.name));
    if (fresh.length === 0) return;
    this.detach(subscriber.id);
    const merged = [...current.topics].flatMap(([channel, names]) =>
      [...names].map((name) => ({ channel, name, kind: "run" as const })),
    );
    await this.attach(subscriber, [...merged, ...fresh]);
  }

  /** Removes topics from a live subscription (an `unsub` message). */
  narrow(subscriber: Subscriber, topics: readonly { channel: string; name: string }[]): void {
    const current = this.subscriptions.get(subscriber.id);
    if (!current) return;
    for (const topic of topics) current.topics.get(topic.channel)?.delete(topic.name);
  }

  detach(id: number): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    this.subscriptions.delete(id);
    for (const stop of subscription.detachRuns) stop();
    for (const channel of subscription.topics.keys()) {
      const set = this.byChannel.get(channel);
      set?.delete(subscription);
      if (set?.size === 0) this.byChannel.delete(channel);
    }
  }

  stats(): {
    subscribers: number;
    channels: number;
    retained: number;
    published: number;
    delivered: number;
  } {
    return {
      subscribers: this.subscriptions.size,
      channels: this.byChannel.size,
      retained: this.replay.messageCount,
      published: this.published,
      delivered: this.delivered,
    };
  }

  private receive(envelope: BusEnvelope): void {
    if (envelope.t === "r") {
      this.deps.streams.deliver(envelope.run, envelope.e, envelope.d);
      return;
    }
    const message = envelope.m;
    const text = JSON.stringify(message);
    this.replay.add({ at: this.deps.clock.now(), message, text });
    const set = this.byChannel.get(message.channel);
    if (!set) return;
    for (const subscription of set) {
      if (!subscription.topics.get(message.channel)?.has(message.topic)) continue;
      this.delivered++;
      subscription.subscriber.send(text);
    }
  }

  private async attachRun(subscription: Subscription, runId: string, names: Set<string>) {
    const { streams, store } = this.deps;
    const texts = new WeakMap<StreamMessage, string>();
    const fnId = (): string | undefined => this.functions.get(runId);
    const send = (message: StreamMessage): void => {
      if (!names.has(message.event)) return;
      let text = texts.get(message);
      if (text === undefined) {
        text = JSON.stringify(runChannelMessage(runId, fnId(), message, this.deps.clock.now()));
        texts.set(message, text);
      }
      this.delivered++;
      subscription.subscriber.send(text);
    };
    const run = await store.runs.get(RunId(runId));
    if (run) this.remember(runId, run.functionId);
    const streamed = streams.has(runId);
    subscription.detachRuns.push(streams.subscribe(runId, 0, send));
    // A run that ended before anyone watched it has no `run` message buffered: say it now (or,
    // when its stream is buffered, after a moment in which its own message may still arrive).
    if (run && isTerminal(run.status) && !streams.ended(runId)) {
      const end = (): void => {
        if (streams.ended(runId) || !this.subscriptions.has(subscription.subscriber.id)) return;
        send({
          id: 0,
          event: "run",
          data: { status: run.status, output: run.status === "Completed" ? run.output : run.error },
        });
      };
      if (streamed) setTimeout(end, END_GRACE_MS).unref();
      else end();
    }
  }

  /** The function a run belongs to (for `fn_id`), remembered for the next publishes. */
  async functionOf(runId: string): Promise<string | undefined> {
    const known = this.functions.get(runId);
    if (known !== undefined) return known;
    const run = await this.deps.store.runs.get(RunId(runId));
    if (run) this.remember(runId, run.functionId);
    return run?.functionId;
  }

  private remember(runId: string, functionId: string): void {
    this.functions.set(runId, functionId);
    if (this.functions.size > FUNCTION_CACHE) {
      const oldest = this.functions.keys().next();
      if (!oldest.done) this.functions.delete(oldest.value);
    }
  }

  private tick(): void {
    this.replay.sweep(this.deps.clock.now());
    for (const subscription of this.subscriptions.values()) subscription.subscriber.ping();
  }
}

function groupByChannel(topics: readonly TokenTopic[]): Map<string, Set<string>> {
  const grouped = new Map<string, Set<string>>();
  for (const topic of topics) {
    const names = grouped.get(topic.channel) ?? new Set<string>();
    names.add(topic.name);
    grouped.set(topic.channel, names);
  }
  return grouped;
}
