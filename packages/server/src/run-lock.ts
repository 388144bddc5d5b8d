/**
 * Serializes state changes of one run inside this process, so that load → decide → commit of
 * two inputs for the same run never interleave. Across nodes, the run's version guards instead.
 */
export class RunLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async with<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(runId) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(runId, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(runId) === tail) this.tails.delete(runId);
    }
  }
}
