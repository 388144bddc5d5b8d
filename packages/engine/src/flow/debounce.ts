/**
 * `debounce` (spec §7.1): a run starts once no event for the key arrived for `periodMs`, with
 * the latest event; `timeoutMs` caps the total wait from the first event.
 */
export interface DebounceState {
  /** The event the run will get: always the latest one. */
  eventId: string;
  /** When the first event of this window arrived. */
  firstAt: number;
  /** When the run starts if nothing else arrives. */
  dueAt: number;
}

export function debounceOnEvent(input: {
  state: DebounceState | undefined;
  eventId: string;
  now: number;
  periodMs: number;
  timeoutMs: number | undefined;
}): DebounceState {
  const firstAt = input.state?.firstAt ?? input.now;
  const quietAt = input.now + input.periodMs;
  const cap = input.timeoutMs === undefined ? Number.POSITIVE_INFINITY : firstAt + input.timeoutMs;
  return { eventId: input.eventId, firstAt, dueAt: Math.min(quietAt, cap) };
}

/** Whether a debounce timer firing at `now` should start the run (it may have been pushed). */
export function debounceDue(state: DebounceState | undefined, now: number): boolean {
  return state !== undefined && state.dueAt <= now;
}
