/**
 * Secret hygiene for everything the server stores or logs about a provider call
 * (ai-gateway.md §5.9): Gemini adapters put the API key in the URL, and the op headers may carry
 * `api-key` (Azure) or `authorization`.
 */

export const REDACTED = "[redacted]";

/**
 * Words that make a query parameter a credential when they are the whole name or one of its
 * `-`, `_` or `.` separated parts (`key`, `api_key`, `X-Amz-Signature`, `client_secret`,
 * `accessToken`), compared case-insensitively. `monkey` is not one: whole parts only.
 */
const SECRET_WORDS = new Set([
  "key",
  "apikey",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "secret",
  "clientsecret",
  "password",
  "passwd",
  "pwd",
  "signature",
  "sig",
  "credential",
  "credentials",
  "auth",
  "authorization",
  "session",
  "sessionid",
  "jwt",
  "bearer",
]);

/** Whether a query parameter (or header-like) name carries a credential. */
export function isSecretParam(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_WORDS.has(lower.replace(/[-_.]/g, ""))) return true;
  return lower.split(/[-_.]/).some((part) => SECRET_WORDS.has(part));
}

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

/** `?name=value` and `&name=value` pairs of a query (before any `#`). */
const PARAM_PATTERN = /([?&])([^=&#]*)=([^&#]*)/gu;

/** `scheme://user:password@host` → the password goes. */
const USERINFO_PATTERN = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/iu;

/**
 * Replaces credential query values (`isSecretParam`) and a URL password with `[redacted]`,
 * leaving the rest of the URL byte for byte (no re-encoding). Works on strings that are not
 * valid URLs too.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf("#");
  const head = hash === -1 ? url : url.slice(0, hash);
  const tail = hash === -1 ? "" : url.slice(hash);
  const query = head.indexOf("?");
  const redacted =
    query === -1
      ? head
      : head.slice(0, query) +
        head
          .slice(query)
          .replace(PARAM_PATTERN, (whole, sep: string, name: string) =>
            isSecretParam(safeDecode(name)) ? `${sep}${name}=${REDACTED}` : whole,
          );
  return (redacted + tail).replace(USERINFO_PATTERN, `$1${REDACTED}@`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/**
 * A copy of `value` in which every string containing one of `secrets` has it replaced by
 * `[redacted]`: a provider's error body that echoes the key it was sent, for instance. Secrets
 * shorter than 8 characters are left alone (replacing them would mangle ordinary text, and no
 * real key is that short).
 */
export function scrubSecrets<T>(value: T, secrets: readonly (string | undefined)[]): T {
  const needles = [
    ...new Set(secrets.filter((s): s is string => s !== undefined && s.length >= 8)),
  ];
  if (needles.length === 0) return value;
  const scrubText = (text: string): string =>
    needles.reduce(
      (out, needle) => (out.includes(needle) ? out.split(needle).join(REDACTED) : out),
      text,
    );
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return scrubText(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(node)) out[scrubText(key)] = walk(inner);
      return out;
    }
    return node;
  };
  return walk(value) as T;
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
