import { isRecord } from "../api/decode";

/**
 * Keys never reach the dashboard from Ingot (the gateway strips them before storing a call),
 * but a prompt or a request body is user data: hide anything that looks like a credential
 * before showing it, in case an app put one where Ingot cannot know it is one.
 */

const SECRET_NAME =
  /^(authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|auth[-_]?key|key|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|password|x-goog-api-key)$/i;
const SECRET_VALUE = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}|\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g;

export const REDACTED = "[redacted]";

export function redactString(text: string): string {
  return text.replace(SECRET_VALUE, (match, bearer?: string) =>
    bearer ? `${bearer}${REDACTED}` : REDACTED,
  );
}

export function redact(value: unknown): unknown {
  if (typeof value === "string") return redactString(value);
  if (Array.isArray(value)) return value.map(redact);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    out[name] = SECRET_NAME.test(name) && inner !== null && inner !== "" ? REDACTED : redact(inner);
  }
  return out;
}

/** A URL with key-like query parameters and any user:password part hidden. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_NAME.test(name) || /key|token|secret/i.test(name))
        parsed.searchParams.set(name, REDACTED);
    }
    return parsed.toString();
  } catch {
    return redactString(url);
  }
}
