/**
 * Delays via one timer each (no polling), tracked so `close()` can cancel them all: ten
 * thousand sleeping requests cost ten thousand timers and nothing else.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  sleep(ms: number): Promise<void> {
    if (this.closed) return new Promise(() => undefined);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.add(timer);
    });
  }

  /** Cancels every pending delay; the requests waiting on them are being destroyed anyway. */
  cancelAll(): void {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
