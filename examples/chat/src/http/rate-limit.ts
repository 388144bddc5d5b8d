import type { MiddlewareHandler } from "hono";
import { ChatError, ErrorCode } from "../errors.js";

/**
 * Per-client token bucket: `perMinute` requests of burst, refilled continuously. Keyed by the
 * client address (or `X-Forwarded-For` behind a trusted proxy). In memory per instance: a
 * shared limit across instances would need the database, which costs a write per request.
 */
export interface RateLimitOptions {
  perMinute: number;
  clientKey: (c: Parameters<MiddlewareHandler>[0]) => string;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many tracked clients, full buckets (idle clients) are forgotten. */
const PRUNE_AT = 10_000;

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const now = options.now ?? Date.now;
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    if (capacity <= 0) return next();
    const key = options.clientKey(c);
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: capacity, at: t };
    bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      buckets.set(key, bucket);
      throw new ChatError(
        ErrorCode.rateLimited,
        `too many requests: at most ${capacity} a minute per client; retry in ${retryAfter} s`,
        { retryAfter },
      );
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > PRUNE_AT)
      for (const [k, b] of buckets)
        if (b.tokens + (t - b.at) * perMs >= capacity) buckets.delete(k);
    return next();
  };
}
