import { isRecord } from "../api/decode";
import type { HistoryEntry } from "../api/types";

/** One failed attempt of a step, from a `step.errored` (will retry) or `step.failed` entry. */
export interface AttemptError {
  stepId: string;
  /** 0-based, as the SDK counts attempts. */
  attempt: number;
  at: number;
  name: string;
  message: string;
  stack: string | undefined;
  /** When the next attempt is due (errored) — undefined when the step failed for good. */
  retryAt: number | undefined;
  final: boolean;
}

/** The error of a history entry's data: `{error: {name, message, stack}, retryAt}`. */
export function describeError(value: unknown): { name: string; message: string; stack?: string } {
  if (typeof value === "string") return { name: "Error", message: value };
  if (!isRecord(value)) return { name: "Error", message: JSON.stringify(value) ?? "unknown error" };
  const inner = isRecord(value.error) ? value.error : value;
  const name = typeof inner.name === "string" ? inner.name : "Error";
  const message =
    typeof inner.message === "string" ? inner.message : (JSON.stringify(inner) ?? "unknown error");
  return typeof inner.stack === "string"
    ? { name, message, stack: inner.stack }
    : { name, message };
}

export function attemptErrors(history: readonly HistoryEntry[]): AttemptError[] {
  const out: AttemptError[] = [];
  for (const entry of history) {
    if (entry.step_id === null) continue;
    if (entry.type !== "step.errored" && entry.type !== "step.failed") continue;
    const error = describeError(entry.data);
    const retryAt =
      isRecord(entry.data) && typeof entry.data.retryAt === "number"
        ? entry.data.retryAt
        : undefined;
    out.push({
      stepId: entry.step_id,
      attempt: entry.attempt ?? 0,
      at: Date.parse(entry.at),
      name: error.name,
      message: error.message,
      stack: error.stack,
      retryAt,
      final: entry.type === "step.failed",
    });
  }
  return out;
}
