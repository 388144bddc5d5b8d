import { z } from "zod";
import type { EventId } from "./ids.js";

/**
 * An event as sent to `POST /e/:key` (spec §2.2). The SDK always sends an array; curl users may
 * send one object. `data` defaults to `{}`, `ts` to the time of receipt.
 */
export const EventInput = z.object({
  name: z
    .string({ error: "expected a string (the event name)" })
    .min(1, "expected a non-empty event name"),
  data: z.record(z.string(), z.unknown(), { error: "expected an object" }).optional().nullable(),
  id: z.string({ error: "expected a string (an idempotency id)" }).max(512).optional().nullable(),
  ts: z
    .number({ error: "expected a number (epoch milliseconds)" })
    .int("expected an integer (epoch milliseconds)")
    .nonnegative()
    .optional()
    .nullable(),
  v: z.string({ error: "expected a string (event version)" }).optional().nullable(),
  user: z.record(z.string(), z.unknown(), { error: "expected an object" }).optional().nullable(),
});
export type EventInput = z.infer<typeof EventInput>;

/** An accepted event as stored and as sent to the SDK in `event` / `events`. */
export interface StoredEvent {
  /** Ingot's ULID for the event. */
  id: EventId;
  name: string;
  data: Record<string, unknown>;
  /** Epoch ms as given by the sender (or receipt time). */
  ts: number;
  user?: Record<string, unknown>;
  v?: string;
  /** The sender's own id (`id` field), used for 24 h idempotency. */
  idempotencyKey?: string;
  /** When Ingot accepted it (epoch ms). */
  receivedAt: number;
  /** When it was routed, and how many functions it triggered (0: it matched none). */
  routing?: { at: number; functions: number };
}

/** The event object as the SDK sees it in an execution request. */
export function toSdkEvent(event: StoredEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: event.id,
    name: event.name,
    data: event.data,
    ts: event.ts,
    user: event.user ?? {},
  };
  if (event.v !== undefined) out.v = event.v;
  return out;
}

/** Internal event names Ingot emits (spec §7.3). */
export const InternalEvent = {
  FunctionInvoked: "inngest/function.invoked",
  FunctionFinished: "inngest/function.finished",
  FunctionFailed: "inngest/function.failed",
  FunctionCancelled: "inngest/function.cancelled",
  ScheduledTimer: "inngest/scheduled.timer",
} as const;
