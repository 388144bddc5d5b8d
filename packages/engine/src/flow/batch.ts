/**
 * `batchEvents` (spec §7.1, §7.5): events for a key collect until `maxSize` are there or
 * `timeoutMs` passed since the first; then one run starts with all of them.
 */
export interface BatchState {
  eventIds: string[];
  firstAt: number;
}

export type BatchDecision =
  /** Start a run with these events now; the batch is emptied. */
  | { kind: "flush"; eventIds: string[] }
  /** Keep collecting; `timerAt` is set when this event opened the batch. */
  | { kind: "collect"; state: BatchState; timerAt?: number };

export function batchOnEvent(input: {
  state: BatchState | undefined;
  eventId: string;
  now: number;
  maxSize: number;
  timeoutMs: number;
}): BatchDecision {
  const eventIds = [...(input.state?.eventIds ?? []), input.eventId];
  if (eventIds.length >= input.maxSize) return { kind: "flush", eventIds };
  if (input.state === undefined) {
    return {
      kind: "collect",
      state: { eventIds, firstAt: input.now },
      timerAt: input.now + input.timeoutMs,
    };
  }
  return { kind: "collect", state: { eventIds, firstAt: input.state.firstAt } };
}

/** A batch timer firing: flush whatever collected, if its time has come. */
export function batchDue(state: BatchState | undefined, now: number, timeoutMs: number): boolean {
  return state !== undefined && state.eventIds.length > 0 && state.firstAt + timeoutMs <= now;
}
