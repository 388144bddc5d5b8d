import { redactUrl } from "@ingot/gateway";
import pino from "pino";

export type Logger = pino.Logger;

/**
 * Paths that may carry secrets anywhere in a logged object. Values under them are replaced, so a
 * key never reaches a log line (invariant 6).
 */
const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "auth_key",
  "*.auth_key",
  "*.*.auth_key",
  "signingKey",
  "*.signingKey",
  "signingKeyFallback",
  "*.signingKeyFallback",
  "eventKeys",
  "*.eventKeys",
  "eventKey",
  "*.eventKey",
  "apiKey",
  "providerKeys",
  "dashboardToken",
  "*.dashboardToken",
  "token",
  "*.providerKeys",
  "*.apiKey",
  '*["x-api-key"]',
  '*["api-key"]',
];

export function createLogger(options: {
  level: string;
  destination?: pino.DestinationStream;
}): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACT, censor: "[redacted]" },
    // A URL may carry a key (`?key=`, `user:password@`): logged URLs lose theirs.
    serializers: { url: urlForLog, appUrl: urlForLog },
  };
  return options.destination ? pino(base, options.destination) : pino(base);
}

export const silentLogger = (): Logger => pino({ level: "silent" });

function urlForLog(value: unknown): unknown {
  return typeof value === "string" ? redactUrl(value) : value;
}
