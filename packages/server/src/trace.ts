/**
 * Per-run timelines of what the server did and when, for finding where a run's time goes
 * (`INGOT_TRACE_RUNS=<n>` keeps the last n runs; `GET /v1/runs/:id/trace`). Off by default: a
 * disabled tracer costs one comparison per mark. Times are epoch ms with sub-ms precision, from
 * one monotonic clock, so the gaps between marks are exact.
 */
export interface TraceMark {
  phase: string;
  at: number;
}

const ORIGIN = Date.now() - performance.now();

export class RunTracer {
  private readonly marks = new Map<string, TraceMark[]>();

  constructor(private readonly capacity: number) {}

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Notes `phase` for a run (or an event, before its run exists). */
  mark(key: string | null | undefined, phase: string): void {
    if (this.capacity === 0 || key === null || key === undefined) return;
    let list = this.marks.get(key);
    if (list === undefined) {
      list = [];
      this.marks.set(key, list);
      if (this.marks.size > this.capacity) {
        const oldest = this.marks.keys().next().value;
        if (oldest !== undefined) this.marks.delete(oldest);
      }
    }
    if (list.length < 1_000) list.push({ phase, at: ORIGIN + performance.now() });
  }

  /** The marks of these keys (a run's events, then the run), in time order. */
  timeline(keys: readonly string[]): TraceMark[] {
    return keys.flatMap((key) => this.marks.get(key) ?? []).sort((a, b) => a.at - b.at);
  }
}
