import { ErrorCode, IngotError } from "@ingot/protocol";
import type { ServerConfig } from "../config.js";
import type { Sessions } from "../sessions.js";
import { bearerMatches } from "../signing.js";

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
 * `start` mode: the REST API takes the signing key as a bearer token, or a dashboard session
 * cookie (the browser cannot send the key, and must not hold it).
 */
export function requireApiAccess(
  config: ServerConfig,
  sessions: Sessions,
  request: { authorization: string | undefined; cookie: string | undefined },
): void {
  if (config.mode !== "start") return;
  if (bearerMatches(request.authorization, signingKeys(config))) return;
  if (sessions.valid(request.cookie)) return;
  throw new IngotError(
    ErrorCode.Unauthorized,
    `${UNAUTHORIZED}, or sign in to the dashboard (POST /auth/login with the dashboard token)`,
  );
}

/** `start` mode: `/e/:key` must name a configured event key. */
export function requireEventKey(config: ServerConfig, key: string): void {
  if (config.mode !== "start") return;
  if (!config.eventKeys.includes(key)) {
    throw new IngotError(
      ErrorCode.InvalidEventKey,
      "unknown event key; send events to /e/<one of the server's --event-key values>",
    );
  }
}
