import { StepId } from "@ingot/protocol";
import { z } from "zod";

/**
 * Payloads of queue items by kind. Written by this server, parsed again when claimed (JSON
 * columns are a boundary too).
 */
const stepId = z.string().min(1).transform(StepId);

export const QueueKind = {
  Execute: "execute",
  Sleep: "sleep",
  WaitTimeout: "wait.timeout",
  Resume: "resume",
  Cancel: "cancel",
  Events: "events",
  Gateway: "gateway",
  Debounce: "debounce",
  Batch: "batch",
  Cron: "cron",
  Timeout: "timeout",
} as const;
export type QueueKind = (typeof QueueKind)[keyof typeof QueueKind];

export const ExecutePayload = z.object({ stepId, attempt: z.number().int().min(0) });
export const SleepPayload = z.object({ stepId });
export const WaitTimeoutPayload = z.object({
  stepId,
  waitId: z.string(),
  kind: z.enum(["event", "signal", "invoke"]),
});
export const ResumePayload = z.object({
  stepId,
  result: z.unknown(),
  failed: z.looseObject({ name: z.string(), message: z.string() }).optional(),
});
export const CancelPayload = z.object({ reason: z.string() });
export const EventsPayload = z.object({ eventIds: z.array(z.string()) });
export const GatewayPayload = z.object({
  stepId,
  attempt: z.number().int().min(0),
  type: z.enum(["ai", "fetch"]),
  /** The op carried an API key, which lives only in this process's memory. */
  hasKey: z.boolean().default(false),
  /** The op's options without secrets (the API key stays in memory only). */
  request: z.record(z.string(), z.unknown()),
});

export type ExecutePayload = z.infer<typeof ExecutePayload>;
export type GatewayPayload = z.infer<typeof GatewayPayload>;
export type ResumePayload = z.infer<typeof ResumePayload>;

/** Debounce and batch timers name the function and the evaluated key. */
export const FlowTimerPayload = z.object({ fnId: z.string(), key: z.string() });
export const CronPayload = z.object({ fnId: z.string(), cron: z.string(), at: z.number() });
export const TimeoutPayload = z.object({ phase: z.enum(["start", "finish"]) });
