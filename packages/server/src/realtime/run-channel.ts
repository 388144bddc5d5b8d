import type { StreamMessage } from "../streams.js";
import { MessageKind, type RealtimeMessage, runChannel } from "./schemas.js";

/**
 * A message of a run's own stream as a Realtime message on `run:<runId>`: the topic is the
 * stream's event name (`ai.start`, `delta`, `ai.end`, `step`, `run`), the data the same object
 * as on `GET /v1/runs/:id/stream` plus `seq`, the message's id there (so a reader that
 * reconnects can skip what it already has). The run's end is a `run` message, the kind the
 * React hooks read a run's status and result from.
 */
export function runChannelMessage(
  runId: string,
  fnId: string | undefined,
  message: StreamMessage,
  now: number,
): RealtimeMessage {
  const data = typeof message.data === "object" && message.data !== null ? message.data : {};
  return {
    kind: message.event === "run" ? MessageKind.Run : MessageKind.Data,
    channel: runChannel(runId),
    topic: message.event,
    data: { ...data, seq: message.id },
    created_at: new Date(now).toISOString(),
    run_id: runId,
    ...(fnId === undefined ? {} : { fn_id: fnId }),
  };
}
