import { randomBytes } from "node:crypto";
import { encodeTime } from "ulid";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const FORTY_BITS = 2 ** 40;

/** The last id's time and entropy (two 40-bit halves), for monotonic ids within one millisecond. */
let lastTime = -1;
let high = 0;
let low = 0;
/** Random bytes drawn in bulk: one getRandomValues per 512 ids instead of one per character. */
let pool = Buffer.alloc(0);
let poolOffset = 0;

function random40(): number {
  if (poolOffset + 5 > pool.length) {
    pool = randomBytes(5 * 512);
    poolOffset = 0;
  }
  const value = pool.readUIntBE(poolOffset, 5);
  poolOffset += 5;
  return value;
}

function encode40(value: number): string {
  let out = "";
  for (let i = 0; i < 8; i++) {
    out = CROCKFORD[value % 32]! + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/**
 * A new ULID; monotonic within this process so ids sort in creation order: within one
 * millisecond (or if the clock steps back) the entropy of the previous id is incremented.
 */
export function newId(now: number): string {
  if (now > lastTime) {
    lastTime = now;
    high = random40();
    low = random40();
  } else if (++low === FORTY_BITS) {
    low = 0;
    high = (high + 1) % FORTY_BITS;
  }
  return encodeTime(lastTime, 10) + encode40(high) + encode40(low);
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
