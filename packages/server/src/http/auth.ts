import { ErrorCode, IngotError } from "@ingot/protocol";
import type { ServerConfig } from "../config.js";
import { bearerMatches } from "../signing.js";

/** `start` mode: SDK→server calls and the REST API carry the signing key as a bearer token. */
export function requireSigningKey(config: ServerConfig, header: string | undefined): void {
  if (config.mode !== "start") return;
  const keys = [config.signingKey, config.signingKeyFallback].filter((key): key is string => !!key);
  if (!bearerMatches(header, keys)) {
    throw new IngotError(
      ErrorCode.Unauthorized,
      "missing or wrong Authorization header; expected `Bearer <signing key>` (raw or hashed as the SDK sends it)",
    );
  }
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
