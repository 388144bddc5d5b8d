import { ErrorCode, IngotError } from "@ingot/protocol";
import type { Context } from "hono";
import type { ServerConfig } from "../config.js";
import { matchesAnySecret } from "../security/keys.js";
import { cookieValue, SESSION_COOKIE, type Sessions } from "../security/sessions.js";
import { bearerMatches } from "../security/signing.js";
import {
  isStateChanging,
  refuseForeignOrigin,
  type RequestFacts,
  requireSameOriginJson,
} from "./request-facts.js";

function signingKeys(config: ServerConfig): string[] {
  return [config.signingKey, config.signingKeyFallback].filter((key): key is string => !!key);
}

const UNAUTHORIZED =
  "missing or wrong Authorization header; expected `Bearer <signing key>` (raw or hashed as the SDK sends it)";

/** `start` mode: SDK→server calls carry the signing key as a bearer token (spec §8.4). */
export function requireSigningKey(config: ServerConfig, header: string | undefined): void {
  if (config.mode !== "start") return;
  if (!bearerMatches(header, signingKeys(config)))
    throw new IngotError(ErrorCode.Unauthorized, UNAUTHORIZED);
}

/**
 * The REST API. Any mode: a state-changing request from a page of another origin is refused.
 * `start` mode: the signing key as a bearer token, or a dashboard session cookie (the browser
 * cannot send the key, and must not hold it); a cookie-authenticated write must also be
 * same-origin JSON, so another site (another port of this host included) cannot forge one.
 */
export async function requireApiAccess(
  c: Context,
  deps: { config: ServerConfig; sessions: Sessions; facts: RequestFacts },
): Promise<void> {
  const { config, sessions, facts } = deps;
  const writes = isStateChanging(c.req.method);
  if (writes) refuseForeignOrigin(c, facts);
  if (config.mode !== "start") return;
  if (bearerMatches(c.req.header("authorization"), signingKeys(config))) return;
  if (await sessions.valid(cookieValue(c.req.header("cookie"), SESSION_COOKIE))) {
    if (writes) requireSameOriginJson(c, facts);
    return;
  }
  throw new IngotError(
    ErrorCode.Unauthorized,
    `${UNAUTHORIZED}, or sign in to the dashboard (POST /auth/login with the dashboard token)`,
  );
}

/** `start` mode: `/e/:key` must name a configured event key (compared in constant time). */
export function requireEventKey(config: ServerConfig, key: string): void {
  if (config.mode !== "start") return;
  if (!matchesAnySecret(key, config.eventKeys)) {
    throw new IngotError(
      ErrorCode.InvalidEventKey,
      "unknown event key; send events to /e/<one of the server's --event-key values>",
    );
  }
}
