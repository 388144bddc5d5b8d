import { randomBytes } from "node:crypto";
import { encodeTime, monotonicFactory } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const monotonic = monotonicFactory();

/** A new ULID; monotonic within this process so ids sort in creation order. */
export function newId(now: number): string {
  return monotonic(now);
}

/** 80 bits of entropy as 16 Crockford base32 characters. */
function encodeEntropy(bytes: Uint8Array): string {
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = "";
  for (let i = 0; i < 16; i++) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

/**
 * Deterministic event ids from the SDK's `x-inngest-event-id-seed: <millis>,<base64 10 bytes>`
 * (spec §2.2): the same send retried by the SDK yields the same ids, so the retry is a duplicate.
 * As in Go, the last 4 entropy bytes are incremented by the 1-based event index.
 */
export function seededEventIds(seed: string | undefined, count: number): string[] | undefined {
  if (seed === undefined) return undefined;
  const [millisText, entropyText] = seed.split(",");
  const millis = Number(millisText);
  if (!Number.isInteger(millis) || millis < 0 || entropyText === undefined) return undefined;
  const entropy = Buffer.from(entropyText, "base64");
  if (entropy.length !== 10) return undefined;
  const ids: string[] = [];
  for (let index = 1; index <= count; index++) {
    const bytes = Buffer.from(entropy);
    const counter = (bytes.readUInt32BE(6) + index) >>> 0;
    bytes.writeUInt32BE(counter, 6);
    ids.push(encodeTime(millis, 10) + encodeEntropy(bytes));
  }
  return ids;
}

export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString("hex");
}
