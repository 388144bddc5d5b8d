/**
 * Wakes HTTP long-polls when runs end, keyed by run id and by the ids of the events that started
 * them — so `GET /v1/events/:id/runs?wait_for=completion` needs no polling.
 */
export class RunNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** `pollMs`: wake waiters at least this often (runs ending on other nodes are not seen). */
  constructor(private readonly pollMs?: number) {}

  finished(run: { id: string; eventIds: readonly string[] }): void {
    for (const key of [run.id, ...run.eventIds]) {
      const set = this.waiters.get(key);
      if (!set) continue;
      this.waiters.delete(key);
      for (const wake of set) wake();
    }
  }

  /**
   * Resolves on the next `finished` touching `key`, or after `timeoutMs`. Register before
   * checking the condition, then await, so a finish in between is not missed.
   */
  next(key: string, timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const set = this.waiters.get(key) ?? new Set();
    set.add(wake);
    this.waiters.set(key, set);
    const wait = this.pollMs === undefined ? timeoutMs : Math.min(timeoutMs, this.pollMs);
    const timer = setTimeout(() => cancel(), Math.max(0, wait));
    const cancel = (): void => {
      clearTimeout(timer);
      const current = this.waiters.get(key);
      current?.delete(wake);
      if (current?.size === 0) this.waiters.delete(key);
      wake();
    };
    void promise.then(() => clearTimeout(timer));
    return { promise, cancel };
  }
}
