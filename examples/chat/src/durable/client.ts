import { Inngest } from "inngest";
import type { ChatConfig } from "../config.js";
import type { Logger } from "../logger.js";

/** The app's id in Ingot (and in Inngest Cloud, should it ever run there). */
export const APP_ID = "ingot-chat";

/**
 * The official SDK client. Without a signing key it talks to `ingot dev`; with one (`ingot
 * start`) requests from Ingot are verified and events carry the event key.
 */
export function createInngest(config: ChatConfig, logger: Logger): Inngest {
  const signed = config.ingot.signingKey !== undefined;
  return new Inngest({
    id: APP_ID,
    baseUrl: config.ingot.url,
    isDev: !signed,
    ...(signed ? { signingKey: config.ingot.signingKey } : {}),
    ...(config.ingot.eventKey ? { eventKey: config.ingot.eventKey } : {}),
    logger: sdkLogger(logger.child({ component: "inngest" })),
  });
}

/** The SDK logs pino-style (`(obj, msg)` or `(msg, ...args)`); fold that into one line. */
function sdkLogger(logger: Logger) {
  const fold =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]): void => {
      const text = args
        .map((arg) =>
          typeof arg === "string" ? arg : arg instanceof Error ? arg.message : JSON.stringify(arg),
        )
        .join(" ");
      logger[level](text);
    };
  return { debug: fold("debug"), info: fold("info"), warn: fold("warn"), error: fold("error") };
}

/** The SDK types `retries` as the literals 0–20. */
const RETRY_COUNTS = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
] as const;
export type RetryCount = (typeof RETRY_COUNTS)[number];

export function retryCount(n: number): RetryCount {
  return RETRY_COUNTS[Math.min(Math.max(Math.round(n), 0), 20)] ?? 3;
}
