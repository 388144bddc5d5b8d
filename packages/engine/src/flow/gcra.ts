/**
 * GCRA (generic cell rate algorithm), the limiter behind `rateLimit` and `throttle`
 * (spec §7.1). State is one number per key: the theoretical arrival time (TAT) of the next
 * request. With `limit` per `periodMs`, requests are spaced `periodMs / limit` apart, and up to
 * `burst` extra may arrive early.
 */
export interface GcraInput {
  /** TAT stored for the key, or undefined for a fresh key. */
  tat: number | undefined;
  now: number;
  limit: number;
  periodMs: number;
  /** How many requests beyond one may arrive at once (the tolerance, in intervals). */
  burst: number;
}

export interface GcraDecision {
  /** When the request may go: `now` if it conforms, else the earliest conforming time. */
  at: number;
  /** The TAT to store once the request is admitted at `at`. */
  tat: number;
}

export function gcra(input: GcraInput): GcraDecision {
  const interval = input.periodMs / Math.max(1, input.limit);
  const tolerance = interval * Math.max(0, input.burst);
  const tat = Math.max(input.tat ?? input.now, input.now);
  const at = Math.max(input.now, tat - tolerance);
  return { at, tat: Math.max(tat, at) + interval };
}

/**
 * `rateLimit`: at most `limit` runs per `periodMs` per key; the excess is dropped. The first
 * `limit` runs of a period go at once (tolerance of `limit - 1` intervals).
 */
export function rateLimitAdmits(input: {
  tat: number | undefined;
  now: number;
  limit: number;
  periodMs: number;
}): {
  admitted: boolean;
  tat: number;
} {
  const decision = gcra({ ...input, burst: input.limit - 1 });
  if (decision.at > input.now) return { admitted: false, tat: input.tat ?? input.now };
  return { admitted: true, tat: decision.tat };
}

/**
 * `throttle`: runs start one per `periodMs / limit`, and `limit + burst` may start at once
 * (Inngest's docs: `{limit: 2, period: "6s", burst: 1}` starts three at once, then one every
 * 3 s). The excess is delayed, not dropped. Returns when the run may start.
 */
export function throttleStart(input: {
  tat: number | undefined;
  now: number;
  limit: number;
  periodMs: number;
  burst: number;
}): GcraDecision {
  return gcra({ ...input, burst: input.limit - 1 + Math.max(0, input.burst) });
}
