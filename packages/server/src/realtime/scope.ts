import { ErrorCode, IngotError } from "@ingot/protocol";
import type { TokenTopic } from "./schemas.js";

/**
 * What a subscriber reads: the token's topics, or — when the request names `?channel=` (and
 * `?topic=`, repeatable) — exactly those, each of which the token must cover. Asking for more
 * than the token allows is `403 forbidden`, never a silent subset.
 */
export function checkScope(granted: readonly TokenTopic[], query: URLSearchParams): TokenTopic[] {
  const channel = query.get("channel");
  const names = query.getAll("topic");
  if (channel === null && names.length === 0) return [...granted];
  if (channel === null) {
    throw new IngotError(ErrorCode.InvalidRequest, "?topic= needs ?channel= too");
  }
  const allowed = granted.filter((topic) => topic.channel === channel);
  const wanted = names.length > 0 ? names : allowed.map((topic) => topic.name);
  const missing = wanted.filter((name) => !allowed.some((topic) => topic.name === name));
  if (allowed.length === 0 || missing.length > 0) {
    const what =
      allowed.length === 0
        ? `channel "${channel}"`
        : `topics ${missing.join(", ")} of channel "${channel}"`;
    throw new IngotError(
      ErrorCode.Forbidden,
      `this subscription token does not grant ${what}; ask POST /v1/realtime/token for a token with them`,
    );
  }
  return wanted.map((name) => ({ channel, name, kind: "run" as const }));
}
