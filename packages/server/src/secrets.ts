/**
 * Secrets that arrive inside gateway ops — `auth_key`, credential headers (Azure puts its key in
 * `api-key`), keys in the URL (Gemini's `?key=`) — are split off before the op is stored and held
 * in memory only until the call (invariant 6). After a restart they are gone; the gateway then
 * asks the SDK to report the op again, as Inngest re-invokes the SDK on durable retries.
 */
export interface OpSecret {
  authKey?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface GatewaySecret {
  itemId: string;
  secret: OpSecret;
}

const SECRET_HEADER = /(authorization|api[-_]?key|token|secret|cookie|signature)/i;
const SECRET_PARAMS = [
  "key",
  "api_key",
  "apikey",
  "api-key",
  "access_token",
  "token",
  "sig",
  "signature",
];

/** Splits an op's request into what may be stored and what must stay in memory. */
export function splitSecrets(request: Record<string, unknown>): {
  stored: Record<string, unknown>;
  secret: OpSecret | undefined;
} {
  const { auth_key: authKey, ...rest } = request;
  const secret: OpSecret = {};
  if (typeof authKey === "string" && authKey !== "") secret.authKey = authKey;
  const stored: Record<string, unknown> = { ...rest };
  if (isRecord(rest.headers)) {
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(rest.headers)) {
      if (SECRET_HEADER.test(name) && typeof value === "string")
        (secret.headers ??= {})[name] = value;
      else kept[name] = value;
    }
    stored.headers = kept;
  }
  if (typeof rest.url === "string") {
    try {
      const url = new URL(rest.url);
      for (const name of SECRET_PARAMS) {
        const value = url.searchParams.get(name);
        if (value === null) continue;
        (secret.query ??= {})[name] = value;
        url.searchParams.delete(name);
      }
      stored.url = url.toString();
    } catch {
      // Not a URL: the call will fail with a clear message; nothing to split.
    }
  }
  return { stored, secret: Object.keys(secret).length > 0 ? secret : undefined };
}

/** Puts the secrets back for the call itself. */
export function restoreSecrets(
  stored: Record<string, unknown>,
  secret: OpSecret | undefined,
): {
  url: string;
  headers: Record<string, string>;
  authKey: string | undefined;
} {
  const headers: Record<string, string> = {};
  if (isRecord(stored.headers)) {
    for (const [name, value] of Object.entries(stored.headers))
      if (typeof value === "string") headers[name] = value;
  }
  Object.assign(headers, secret?.headers ?? {});
  let url = typeof stored.url === "string" ? stored.url : "";
  if (secret?.query) {
    try {
      const parsed = new URL(url);
      for (const [name, value] of Object.entries(secret.query))
        parsed.searchParams.set(name, value);
      url = parsed.toString();
    } catch {
      // keep as is
    }
  }
  return { url, headers, authKey: secret?.authKey };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Where op secrets wait for their call. Memory only. */
export class SecretVault {
  private readonly secrets = new Map<string, OpSecret>();

  put(entries: readonly GatewaySecret[]): void {
    for (const entry of entries) this.secrets.set(entry.itemId, entry.secret);
  }

  take(itemId: string): OpSecret | undefined {
    const secret = this.secrets.get(itemId);
    this.secrets.delete(itemId);
    return secret;
  }

  get size(): number {
    return this.secrets.size;
  }
}
