import { isRecord } from "../api/decode";
import type { HistoryEntry, Run, Step } from "../api/types";
import { type AttemptError, attemptErrors } from "./step-errors";

/**
 * The run's steps laid out on one time axis. Ingot records when a step was first seen
 * (`created_at`), when it was memoized (`ended_at`) and, for `step.run`, how long the code ran
 * as the SDK measured it (`duration_ms`); failed attempts are in the history with their times.
 * A step's bar spans from the earliest of these to its end, or to now while it is outstanding.
 */

export interface WaterfallRow {
  step: Step;
  start: number;
  end: number;
  /** Still going: sleeping, waiting, calling a model… (the bar grows with time). */
  open: boolean;
  errors: AttemptError[];
  /** When a sleep is due, from `step.sleep` history entries. */
  until: number | undefined;
  /** What to print as the duration: the SDK's measure for code, else the bar's length. */
  durationMs: number;
}

export interface Waterfall {
  start: number;
  end: number;
  rows: WaterfallRow[];
  /** Where the run's own bar starts (created) and where its code first ran. */
  runStart: number;
  runEnd: number;
}

const parse = (iso: string | null): number | undefined => {
  if (iso === null) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : at;
};

/** Statuses that end a step; a `cancelled` step ended with its run and has no live bar. */
const FINISHED = new Set(["completed", "failed", "cancelled"]);

function sleepUntil(history: readonly HistoryEntry[], stepId: string): number | undefined {
  let until: number | undefined;
  for (const entry of history) {
    if (entry.step_id !== stepId || entry.type !== "step.sleep") continue;
    if (isRecord(entry.data) && typeof entry.data.until === "number") until = entry.data.until;
  }
  return until;
}

function rowOf(
  step: Step,
  errors: AttemptError[],
  history: readonly HistoryEntry[],
  now: number,
): WaterfallRow {
  const created = parse(step.created_at);
  const ended = parse(step.ended_at);
  const open = !FINISHED.has(step.status) && ended === undefined;
  const end = ended ?? (open ? now : (created ?? now));
  const candidates = [created, ...errors.map((error) => error.at)];
  if (step.duration_ms !== null && ended !== undefined) candidates.push(ended - step.duration_ms);
  const known = candidates.filter((value): value is number => value !== undefined);
  const start = Math.min(end, ...known);
  const measured = step.duration_ms !== null && step.duration_ms > 0 && errors.length === 0;
  return {
    step,
    start,
    end,
    open,
    errors,
    until: step.op === "Sleep" ? sleepUntil(history, step.step_id) : undefined,
    durationMs: measured && step.duration_ms !== null ? step.duration_ms : end - start,
  };
}

export function buildWaterfall(input: {
  run: Run & { created_at?: string | null | undefined };
  steps: readonly Step[];
  history: readonly HistoryEntry[];
  now: number;
}): Waterfall {
  const { run, steps, history, now } = input;
  const errors = attemptErrors(history);
  const rows = steps.map((step) =>
    rowOf(
      step,
      errors.filter((error) => error.stepId === step.step_id),
      history,
      now,
    ),
  );
  const runStart =
    parse(run.created_at ?? null) ??
    parse(run.run_started_at) ??
    Math.min(now, ...rows.map((r) => r.start));
  const runEnd = parse(run.ended_at) ?? now;
  const start = Math.min(runStart, ...rows.map((row) => row.start));
  const end = Math.max(runEnd, start + 1, ...rows.map((row) => row.end));
  return { start, end, rows, runStart, runEnd };
}

/** Axis labels: about five round offsets from the start. */
export function ticks(span: number): number[] {
  const steps = [
    1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000,
    120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
  ];
  const target = span / 5;
  const step =
    steps.find((candidate) => candidate >= target) ?? Math.ceil(target / 86_400_000) * 86_400_000;
  const out: number[] = [];
  for (let at = 0; at <= span; at += step) out.push(at);
  return out;
}
