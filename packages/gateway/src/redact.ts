/**
 * Secret hygiene for everything the server stores or logs about a provider call
 * (ai-gateway.md §5.9): Gemini adapters put the API key in the URL, and the op headers may carry
 * `api-key` (Azure) or `authorization`.
 */

export const REDACTED = "[redacted]";

/** Query parameters that carry keys (compared case-insensitively). */
const SECRET_PARAMS = ["key", "api_key", "apikey", "api-key", "access_token"];

/** Headers that carry credentials (compared case-insensitively). */
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
  "cookie",
  "set-cookie",
]);

const PARAM_PATTERN = new RegExp(`([?&](?:${SECRET_PARAMS.join("|")})=)[^&#]*`, "giu");

/** `scheme://user:password@host` → the password goes. */
const USERINFO_PATTERN = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/iu;

/**
 * Replaces key-bearing query values (`key`, `api_key`, `apikey`, …) and a URL password with
 * `[redacted]`, leaving the rest of the URL byte for byte (no re-encoding). Works on strings that
 * are not valid URLs too.
 */
export function redactUrl(url: string): string {
  return url.replace(PARAM_PATTERN, `$1${REDACTED}`).replace(USERINFO_PATTERN, `$1${REDACTED}@`);
}

/** A copy with credential headers' values replaced by `[redacted]`; names keep their case. */
export function redactHeaders<V extends string | readonly string[]>(
  headers: Readonly<Record<string, V | undefined>>,
): Record<string, V | typeof REDACTED> {
  const out: Record<string, V | typeof REDACTED> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return out;
}
