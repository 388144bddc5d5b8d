import { createHash, randomBytes } from "node:crypto";
import type { SessionStore } from "@ingot/store";

/**
 * Dashboard sessions in `start` mode. A login gets a random 256-bit cookie value; the store keeps
 * only its SHA-256, with an absolute expiry of 12 hours (no sliding renewal: a stolen cookie is
 * good for at most that long). Logout deletes the row, so the cookie stops working on every node
 * at once, even if a copy of it was kept.
 */
export const SESSION_COOKIE = "ingot_session";
export const SESSION_TTL_MS = 12 * 3_600_000;

const digestOf = (value: string): string => createHash("sha256").update(value).digest("hex");

/** What a cookie value looks like; anything else is not looked up. */
const VALUE = /^[A-Za-z0-9_-]{43}$/;

export class Sessions {
  constructor(
    private readonly store: SessionStore,
    private readonly now: () => number,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async issue(): Promise<{ value: string; maxAgeSeconds: number }> {
    const value = randomBytes(32).toString("base64url");
    const createdAt = this.now();
    // Logins are rare: each one also clears the sessions that expired since the last.
    await this.store.sweep(createdAt);
    await this.store.create({
      digest: digestOf(value),
      createdAt,
      expiresAt: createdAt + this.ttlMs,
    });
    return { value, maxAgeSeconds: Math.floor(this.ttlMs / 1000) };
  }

  valid(value: string | undefined): Promise<boolean> {
    if (value === undefined || !VALUE.test(value)) return Promise.resolve(false);
    return this.store.valid(digestOf(value), this.now());
  }

  async revoke(value: string | undefined): Promise<void> {
    if (value !== undefined && VALUE.test(value)) await this.store.revoke(digestOf(value));
  }
}

/** One cookie's value from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
