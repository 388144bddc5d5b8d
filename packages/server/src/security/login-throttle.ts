/**
 * Throttles dashboard sign-in per client: at most `limit` failed attempts in `windowMs`; the next
 * one is refused (429 with `Retry-After`) before its token is even compared. A success clears the
 * client's record. Memory is bounded: past `maxClients` the oldest record is dropped. Per node:
 * with N nodes behind a balancer an attacker gets N times the budget, still a handful of guesses
 * a minute against a token of at least 16 characters.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly limit = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly maxClients = 10_000,
  ) {}

  /** Seconds the client must wait before trying again, or 0 when it may try now. */
  retryAfterSeconds(client: string): number {
    const recent = this.recent(client);
    if (recent.length < this.limit) return 0;
    const oldest = recent[0] ?? this.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  failed(client: string): void {
    const recent = this.recent(client);
    recent.push(this.now());
    this.failures.delete(client);
    this.failures.set(client, recent.slice(-this.limit));
    if (this.failures.size > this.maxClients) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  succeeded(client: string): void {
    this.failures.delete(client);
  }

  private recent(client: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(client) ?? []).filter((at) => at > since);
  }
}
