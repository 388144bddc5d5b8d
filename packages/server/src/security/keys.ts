import { createHash, timingSafeEqual } from "node:crypto";

/**
 * The secrets `ingot start` is configured with, and how they are checked. Every comparison of a
 * secret runs in constant time over SHA-256 digests, so neither the content nor the length of a
 * configured key leaks through response timing.
 */

/** `signkey-<env>-<hex>` as Inngest issues them: at least 32 bytes (64 hex digits) of key. */
const SIGNING_KEY = /^signkey-[a-z0-9]+-((?:[0-9a-f]{2}){32,})$/i;

/** Shortest event key `ingot start` accepts (Inngest's own are 86 characters). */
export const MIN_EVENT_KEY_CHARS = 16;
/** Shortest dashboard token `ingot start` accepts. */
export const MIN_DASHBOARD_TOKEN_CHARS = 16;

const GENERATE = "generate one with: echo signkey-prod-$(openssl rand -hex 32)";

/** Why `key` is not a usable signing key, or undefined. Never quotes the key itself. */
export function signingKeyProblem(key: string): string | undefined {
  if (SIGNING_KEY.test(key)) return undefined;
  if (!/^signkey-[a-z0-9]+-/i.test(key))
    return `a signing key is "signkey-<env>-" followed by at least 64 hex digits; this one does not start with "signkey-<env>-" (${GENERATE})`;
  return `a signing key is "signkey-<env>-" followed by at least 64 hex digits (32 bytes), an even number of them; this one has ${key.replace(/^signkey-[a-z0-9]+-/i, "").length} characters after its prefix or characters that are not hex (${GENERATE})`;
}

export function eventKeyProblem(key: string): string | undefined {
  if (key.length < MIN_EVENT_KEY_CHARS)
    return `an event key must have at least ${MIN_EVENT_KEY_CHARS} characters; this one has ${key.length} (generate one with: openssl rand -hex 32)`;
  if (/[\s/?#%]/.test(key))
    return "an event key is sent in the URL path (/e/<key>); it may not contain whitespace, '/', '?', '#' or '%'";
  return undefined;
}

export function dashboardTokenProblem(token: string): string | undefined {
  if (token.length < MIN_DASHBOARD_TOKEN_CHARS)
    return `the dashboard token must have at least ${MIN_DASHBOARD_TOKEN_CHARS} characters; this one has ${token.length}`;
  return undefined;
}

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/** Constant-time equality of two secrets, whatever their lengths. */
export function secretEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Whether `value` equals one of `secrets`; compares against every one, never stopping early. */
export function matchesAnySecret(value: string, secrets: readonly string[]): boolean {
  let found = false;
  for (const secret of secrets) found = secretEqual(value, secret) || found;
  return found;
}
