/** Everything `decide` needs besides the run state and the input. Time is injected. */
export interface DecideContext {
  now: number;
  /** `retries + 1` of the run's function (spec §6). */
  maxAttempts: number;
  /** Delay before retry number `attempt` (1 = first retry), when the SDK gave no Retry-After. */
  backoffMs: (attempt: number) => number;
}

/** Invoke timeout when the SDK sends none (Go: one year). */
export const DEFAULT_INVOKE_TIMEOUT_MS = 365 * 24 * 3_600_000;

/** Longest `Retry-After` honoured (Go clamps to 24 h, spec §3.3). */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** Shortest `Retry-After` honoured: Go clamps to at least 1 s (spec §3.3). */
export const MIN_RETRY_AFTER_MS = 1_000;

export function clampRetryAfter(ms: number): number {
  return Math.min(Math.max(MIN_RETRY_AFTER_MS, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/**
 * Exponential backoff with a cap and deterministic jitter-free steps: 1 s, 2 s, 4 s … 10 min by
 * default. Go's table starts at 15 s; a development server should retry sooner.
 */
export function exponentialBackoff(baseMs: number, capMs = 600_000): (attempt: number) => number {
  return (attempt) => Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
