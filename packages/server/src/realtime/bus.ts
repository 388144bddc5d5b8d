import type { PostgresBroadcast } from "@ingot/store-postgres";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { MessageKind, type RealtimeMessage } from "./schemas.js";

/** Events of a run's own stream (`GET /v1/runs/:id/stream` and the `run:<id>` channel). */
export const RunStreamEvent = z.enum(["ai.start", "delta", "ai.end", "step", "run"]);
export type RunStreamEvent = z.infer<typeof RunStreamEvent>;

/** What travels between nodes: a published message, or one message of a run's stream. */
export type BusEnvelope =
  { t: "m"; m: RealtimeMessage } | { t: "r"; run: string; e: RunStreamEvent; d: unknown };

const Envelope = z.discriminatedUnion("t", [
  z.object({
    t: z.literal("m"),
    m: z.object({
      kind: z.enum(MessageKind),
      channel: z.string(),
      topic: z.string(),
      data: z.unknown(),
      created_at: z.string(),
      run_id: z.string().optional(),
      fn_id: z.string().optional(),
      stream_id: z.string().optional(),
    }),
  }),
  z.object({ t: z.literal("r"), run: z.string(), e: RunStreamEvent, d: z.unknown() }),
]);

export type BusListener = (envelope: BusEnvelope) => void;

/**
 * Carries messages to every node's subscribers. `send` resolves once the messages are ordered
 * for every node: a message sent after another's `send` resolved is delivered after it
 * everywhere.
 */
export interface RealtimeBus {
  /** Whether other nodes exist (then every run message must be sent: someone may watch). */
  readonly shared: boolean;
  send(envelopes: readonly BusEnvelope[]): Promise<void>;
  listen(listener: BusListener): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One node: delivery is a synchronous call, in publish order. */
export class LocalBus implements RealtimeBus {
  readonly shared = false;
  private listener: BusListener = () => undefined;

  send(envelopes: readonly BusEnvelope[]): Promise<void> {
    for (const envelope of envelopes) this.listener(envelope);
    return Promise.resolve();
  }

  listen(listener: BusListener): void {
    this.listener = listener;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Many nodes on one Postgres: every message goes through `NOTIFY ingot_realtime`, also to this
 * node's own subscribers, so all nodes see one order (the commit order), whichever node a
 * publisher reached.
 */
export class PostgresBus implements RealtimeBus {
  readonly shared = true;
  private listener: BusListener = () => undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly broadcast: PostgresBroadcast,
    private readonly logger: Logger,
  ) {}

  send(envelopes: readonly BusEnvelope[]): Promise<void> {
    return this.broadcast.send(envelopes.map((envelope) => JSON.stringify(envelope)));
  }

  listen(listener: BusListener): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    this.unsubscribe = this.broadcast.subscribe((text) => this.receive(text));
    await this.broadcast.whenListening();
  }

  stop(): Promise<void> {
    this.unsubscribe?.();
    return Promise.resolve();
  }

  private receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.logger.warn({ err: error }, "realtime: dropped a malformed message from Postgres");
      return;
    }
    const envelope = Envelope.safeParse(parsed);
    if (!envelope.success) {
      this.logger.warn("realtime: dropped a message of unknown shape from Postgres");
      return;
    }
    this.listener(envelope.data);
  }
}
