import { createHash, createHmac } from "node:crypto";
import { matchesAnySecret, signingKeyProblem } from "./keys.js";

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

/**
 * Checks `Authorization: Bearer …` against the signing keys: the raw key or its hash, with or
 * without the `signkey-<env>-` prefix (Go accepts both, spec §8.4). Keys are validated hex at
 * start-up (`signingKeyProblem`), so no key hashes to the digest of an empty buffer.
 */
export function bearerMatches(header: string | undefined, keys: readonly string[]): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const token = stripKeyPrefix(match[1].trim()).hex.toLowerCase();
  // A key that is not hex would hash like an empty one: such a key authenticates nobody.
  const usable = keys.filter((key) => signingKeyProblem(key) === undefined);
  const accepted = usable.flatMap((key) => [
    stripKeyPrefix(key).hex.toLowerCase(),
    stripKeyPrefix(hashSigningKey(key)).hex.toLowerCase(),
  ]);
  return matchesAnySecret(token, accepted);
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
  const expected = input.keys.map((key) => signBody(input.body, key, t));
  return matchesAnySecret(`t=${t}&s=${s}`, expected);
}
