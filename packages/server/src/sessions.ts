import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Dashboard sessions in `start` mode: after a login with the dashboard token, the browser holds
 * an HttpOnly cookie `<expiry>.<hmac>`. The HMAC key derives from the signing key, so every node
 * of a cluster accepts the same cookie and nothing needs storing.
 */
export const SESSION_COOKIE = "ingot_session";
const TTL_MS = 12 * 3_600_000;

export class Sessions {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly now: () => number,
    private readonly ttlMs = TTL_MS,
  ) {
    this.key = createHash("sha256").update(`ingot-dashboard-session\0${secret}`).digest();
  }

  issue(): { value: string; maxAgeSeconds: number } {
    const expires = this.now() + this.ttlMs;
    return {
      value: `${expires}.${this.mac(String(expires))}`,
      maxAgeSeconds: Math.floor(this.ttlMs / 1000),
    };
  }

  valid(value: string | undefined): boolean {
    if (value === undefined) return false;
    const [expires = "", mac = ""] = value.split(".");
    if (!/^\d+$/.test(expires) || Number(expires) < this.now()) return false;
    return safeEqual(mac, this.mac(expires));
  }

  private mac(text: string): string {
    return createHmac("sha256", this.key).update(text).digest("hex");
  }
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** One cookie's value from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name)
      return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}
