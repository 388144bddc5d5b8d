import { isSecretParam } from "@ingot/gateway";

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
  password?: string;
}

/** Every secret value of an op, to scrub from whatever of the call is stored. */
export function secretValues(secret: OpSecret | undefined, extra: string | undefined): string[] {
  const values = [
    secret?.authKey,
    extra,
    secret?.password,
    ...Object.values(secret?.headers ?? {}),
    ...Object.values(secret?.query ?? {}),
  ].filter((value): value is string => value !== undefined);
  // `Bearer sk-…` in a header: the key alone may be echoed too.
  return values.flatMap((value) => {
    const bare = /^(?:bearer|basic|token)\s+(.+)$/i.exec(value)?.[1];
    return bare === undefined ? [value] : [value, bare];
  });
}

export interface GatewaySecret {
  itemId: string;
  secret: OpSecret;
}

const SECRET_HEADER = /(authorization|api[-_]?key|token|secret|cookie|signature)/i;

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
      for (const name of [...new Set(url.searchParams.keys())]) {
        if (!isSecretParam(name)) continue;
        const value = url.searchParams.get(name);
        if (value === null) continue;
        (secret.query ??= {})[name] = value;
        url.searchParams.delete(name);
      }
      // A password in the URL (`https://user:pass@host`) is a credential too.
      if (url.password !== "") {
        secret.password = decodeURIComponent(url.password);
        url.password = "";
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
  if (secret?.query || secret?.password !== undefined) {
    try {
      const parsed = new URL(url);
      for (const [name, value] of Object.entries(secret.query ?? {}))
        parsed.searchParams.set(name, value);
      if (secret.password !== undefined) parsed.password = encodeURIComponent(secret.password);
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
