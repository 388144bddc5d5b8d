/** One connected reader (a WebSocket or an SSE response), as the hub sees it. */
export interface Subscriber {
  readonly id: number;
  /**
   * Queues one serialized message. A subscriber that cannot keep up closes itself (bounded
   * buffer) and calls its `onClose`; it never makes the hub wait.
   */
  send(text: string): void;
  /** Keepalive; also how dead connections are found. */
  ping(): void;
  close(code: number, reason: string): void;
}

/** WebSocket close codes the server uses (4000-4999 are for applications). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  /** The subscriber read too slowly and its buffer filled. */
  TooSlow: 4008,
} as const;

export interface SubscriberLimits {
  /**
   * Bytes a subscriber may have queued and unread before it is dropped. 1 MiB holds about
   * 10,000 token deltas: seconds of a fast model, far more than a healthy reader lags.
   */
  maxBufferedBytes: number;
  /** After asking a dropped subscriber to close, how long to wait before cutting it off. */
  closeGraceMs: number;
}

export const DEFAULT_LIMITS: SubscriberLimits = {
  maxBufferedBytes: 1024 * 1024,
  closeGraceMs: 5_000,
};

export function tooSlowReason(limits: SubscriberLimits): string {
  return `subscriber too slow: more than ${limits.maxBufferedBytes} bytes waiting to be read; reconnect and read faster`;
}
