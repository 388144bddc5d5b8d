/**
 * Wire shapes of Inngest Realtime (spec §2.5), as the official clients speak them: `inngest/realtime`
 * (v4), `@inngest/realtime` (v3), the React hooks and AgentKit's `useAgent`.
 */
import { z } from "zod";

/** What a server pushes to a subscriber (the clients' `Realtime.messageSchema`). */
export const MessageKind = {
  Data: "data",
  Run: "run",
  DatastreamStart: "datastream-start",
  DatastreamEnd: "datastream-end",
  Chunk: "chunk",
  Ping: "ping",
  Closing: "closing",
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

export interface RealtimeMessage {
  kind: MessageKind;
  channel: string;
  topic: string;
  data: unknown;
  /** ISO time the server accepted the publish. */
  created_at: string;
  run_id?: string;
  fn_id?: string;
  /** Set on `chunk` messages: the `datastream-start` they belong to. */
  stream_id?: string;
}

/**
 * Names are what the SDKs accept and what users write (`user:42`, `run:01J…`, `agent/chat`);
 * kept printable and bounded so they can key maps and appear in logs.
 */
const NAME = /^[^\s\u0000-\u001f]{1,256}$/;
export const ChannelName = z
  .string()
  .regex(NAME, "a channel is 1-256 printable characters without spaces");
export const TopicName = z
  .string()
  .regex(NAME, "a topic is 1-256 printable characters without spaces");

/**
 * `POST /v1/realtime/token` body: what `getSubscriptionToken` sends,
 * `[{channel, name: topic, kind: "run"}]` (spec §2.5).
 */
export const TokenTopic = z.object({
  channel: ChannelName,
  name: TopicName,
  kind: z.literal("run").optional().default("run"),
});
export type TokenTopic = z.infer<typeof TokenTopic>;
export const TokenRequest = z.array(TokenTopic).min(1, "ask for at least one topic").max(100);

/** The claims of a subscription token (a JWT signed by this server). */
export const TokenClaims = z.object({
  iss: z.literal("ingot"),
  exp: z.number(),
  iat: z.number(),
  jti: z.string(),
  topics: z.array(TokenTopic).min(1),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

/**
 * `POST /v1/realtime/publish?channel=&topic=&run_id=` query. The SDKs append one `topic` per
 * topic (always one today); a message goes to each.
 */
export const PublishQuery = z.object({
  channel: ChannelName,
  topics: z.array(TopicName).min(1, "name the topic: ?topic=<name>").max(16),
  run_id: z.string().min(1).max(64).optional(),
});
export type PublishQuery = z.infer<typeof PublishQuery>;

/**
 * Messages a WebSocket client may send (the Go server's protocol): `sub` with a token as `data`
 * adds that token's topics; `unsub` with `[{channel, name}]` removes topics.
 */
export const ClientMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("sub"), data: z.string().min(1) }),
  z.object({
    kind: z.literal("unsub"),
    data: z.array(z.object({ channel: ChannelName, name: TopicName })),
  }),
  z.object({ kind: z.literal("ping") }),
  z.object({ kind: z.literal("pong") }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** The channel of a run's own messages: Ingot's token deltas, steps and lifecycle. */
export const RUN_CHANNEL_PREFIX = "run:";
export const runChannel = (runId: string): string => `${RUN_CHANNEL_PREFIX}${runId}`;
export function runIdOfChannel(channel: string): string | undefined {
  return channel.startsWith(RUN_CHANNEL_PREFIX)
    ? channel.slice(RUN_CHANNEL_PREFIX.length)
    : undefined;
}
