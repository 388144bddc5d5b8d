import type { GatewaySecret } from "./applier.js";
import type { SecretSink } from "./runner.js";

/**
 * API keys that arrived in `AIGateway` ops, held in memory only until the call is made
 * (invariant 6). After a restart they are gone; the gateway then asks the SDK to report the op
 * again, as Inngest re-invokes the SDK on durable retries.
 */
export class SecretVault implements SecretSink {
  private readonly keys = new Map<string, string>();

  put(secrets: readonly GatewaySecret[]): void {
    for (const secret of secrets) this.keys.set(secret.itemId, secret.authKey);
  }

  take(itemId: string): string | undefined {
    const key = this.keys.get(itemId);
    this.keys.delete(itemId);
    return key;
  }

  move(from: string, to: string): void {
    const key = this.take(from);
    if (key !== undefined) this.keys.set(to, key);
  }

  get size(): number {
    return this.keys.size;
  }
}
