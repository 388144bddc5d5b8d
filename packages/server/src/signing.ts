import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Request signing and key checks (spec §8). The HMAC key is the hex text of the signing key
 * without its `signkey-<env>-` prefix; bearer tokens carry SHA-256 of the hex-decoded key.
 */

const PREFIX = /^signkey-[a-z0-9]+-/i;

export function stripKeyPrefix(key: string): { prefix: string; hex: string } {
  const match = PREFIX.exec(key);
  const prefix = match ? match[0] : "";
  return { prefix, hex: key.slice(prefix.length) };
}

/** The bearer token an SDK sends for this key: `<prefix>` + hex(sha256(hexdecode(key))). */
export function hashSigningKey(key: string): string {
  const { prefix, hex } = stripKeyPrefix(key);
  return prefix + createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");
}

/** `X-Inngest-Signature` for a body at unix time `t` (seconds). */
export function signBody(body: string, key: string, t: number): string {
  const { hex } = stripKeyPrefix(key);
  const mac = createHmac("sha256", hex).update(body).update(String(t)).digest("hex");
  return `t=${t}&s=${mac}`;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks `Authorization: Bearer …` against the signing keys: the raw key or its hash, with or
 * without the `signkey-<env>-` prefix (Go accepts both, spec §8.4).
 */
export function bearerMatches(header: string | undefined, keys: readonly string[]): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const token = stripKeyPrefix(match[1].trim()).hex.toLowerCase();
  return keys.some((key) => {
    const raw = stripKeyPrefix(key).hex.toLowerCase();
    const hashed = stripKeyPrefix(hashSigningKey(key)).hex.toLowerCase();
    return safeEqual(token, raw) || safeEqual(token, hashed);
  });
}

/** Verifies an `x-inngest-signature` made over `body` with one of `keys`, within 5 minutes. */
export function verifySignature(input: {
  header: string | undefined;
  body: string;
  keys: readonly string[];
  nowMs: number;
}): boolean {
  if (input.header === undefined) return false;
  const params = new URLSearchParams(input.header);
  const t = Number(params.get("t"));
  const s = params.get("s");
  if (!Number.isInteger(t) || s === null) return false;
  if (Math.abs(input.nowMs / 1000 - t) > 300) return false;
  return input.keys.some((key) => safeEqual(signBody(input.body, key, t), `t=${t}&s=${s}`));
}
