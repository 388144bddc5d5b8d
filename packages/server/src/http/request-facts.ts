import { getConnInfo } from "@hono/node-server/conninfo";
import { ErrorCode, IngotError } from "@ingot/protocol";
import type { Context } from "hono";

/**
 * What the server may believe about where a request came from. Forwarded headers
 * (`X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`) are anyone's to forge, so they
 * count only with `--trust-proxy`, when a reverse proxy in front of Ingot sets them.
 */
export interface RequestFacts {
  /** The client's address: the socket's peer, or the address the trusted proxy saw. */
  client(c: Context): string;
  /** Whether the client reached us over HTTPS (directly, or at the trusted proxy). */
  https(c: Context): boolean;
  /** `host[:port]` the client addressed. */
  host(c: Context): string;
}

const lastListed = (header: string | undefined): string | undefined =>
  header
    ?.split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .at(-1);

export function requestFacts(trustProxy: boolean): RequestFacts {
  const peer = (c: Context): string => {
    try {
      return getConnInfo(c).remote.address ?? "unknown";
    } catch {
      // `app.request()` in tests has no socket.
      return "unknown";
    }
  };
  return {
    // The proxy appends the address it saw; entries before it are the client's to invent.
    client: (c) =>
      (trustProxy ? lastListed(c.req.header("x-forwarded-for")) : undefined) ?? peer(c),
    https: (c) =>
      new URL(c.req.url).protocol === "https:" ||
      (trustProxy && lastListed(c.req.header("x-forwarded-proto"))?.toLowerCase() === "https"),
    host: (c) =>
      (trustProxy ? lastListed(c.req.header("x-forwarded-host")) : undefined) ??
      c.req.header("host") ??
      new URL(c.req.url).host,
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isStateChanging = (method: string): boolean => !SAFE_METHODS.has(method);

/**
 * A browser sends `Origin` with every cross-origin request and with same-origin POST, PUT and
 * DELETE. A state-changing request whose `Origin` names another site (another port of this host
 * included) was made by a page we did not serve: refuse it, in every mode. Clients that are not
 * browsers send no `Origin` and are unaffected.
 */
export function refuseForeignOrigin(c: Context, facts: RequestFacts): void {
  const origin = c.req.header("origin");
  if (origin === undefined) return;
  if (originHost(origin) === facts.host(c).toLowerCase()) return;
  throw new IngotError(
    ErrorCode.ForbiddenOrigin,
    `cross-origin request refused: Origin ${origin} is not this server (${facts.host(c)}); use the dashboard served by Ingot itself, or call the API with a bearer key`,
  );
}

/**
 * A state-changing request authenticated by the session cookie must come from our own page: a
 * JSON body (which a cross-site form cannot send without a CORS preflight Ingot never grants) and
 * an `Origin` naming this server.
 */
export function requireSameOriginJson(c: Context, facts: RequestFacts): void {
  const origin = c.req.header("origin");
  if (origin === undefined) {
    throw new IngotError(
      ErrorCode.ForbiddenOrigin,
      "a request signed in by the dashboard cookie must carry an Origin header (browsers add it); scripts should send the signing key as a bearer token instead",
    );
  }
  refuseForeignOrigin(c, facts);
  const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  const length = c.req.header("content-length");
  const hasBody =
    (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
  if ((type !== undefined || hasBody) && type !== "application/json") {
    throw new IngotError(
      ErrorCode.UnsupportedMediaType,
      `expected Content-Type: application/json, got ${type ?? "none"}`,
    );
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}
