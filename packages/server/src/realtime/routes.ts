import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { ErrorCode, IngotError } from "@ingot/protocol";
import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { z } from "zod";
import { readJson } from "../http/body.js";
import { requireSigningKey } from "../http/auth.js";
import type { HttpDeps } from "../http/context.js";
import type { Realtime } from "./index.js";
import {
  MessageKind,
  PublishQuery,
  type RealtimeMessage,
  runIdOfChannel,
  TokenRequest,
} from "./schemas.js";
import { checkScope } from "./scope.js";
import { SseSubscriber } from "./sse.js";

/** One published message at most (as Inngest's limit for a realtime message). */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** A streamed publish (`text/stream`) at most; it is cut into chunks as it arrives. */
const MAX_STREAM_BYTES = 64 * 1024 * 1024;
/** Largest `chunk` message: bigger reads are split. */
const CHUNK_CHARS = 16 * 1024;

/**
 * The Realtime HTTP endpoints (spec §2.5); the WebSocket is in `socket.ts`.
 * - `POST /v1/realtime/publish?channel=&topic=&run_id=` — a JSON (or any text) body is one `data`
 *   message; a `text/stream` body becomes `datastream-start`, `chunk`s as the body arrives,
 *   `datastream-end`. Start mode: signing key required (what the SDK sends).
 * - `POST /v1/realtime/token` `[{channel, name, kind}]` → `201 {"jwt"}`. Start mode: signing key.
 * - `GET /v1/realtime/sse?token=` — the token's messages as Server-Sent Events.
 */
export function realtimeRoutes(app: Hono, deps: HttpDeps, realtime: Realtime): void {
  app.post("/v1/realtime/publish", async (c) => {
    requireSigningKey(deps.config, c.req.header("authorization"));
    const query = parseQuery(c);
    const base = await baseMessage(realtime, query);
    if ((c.req.header("content-type") ?? "").split(";")[0]?.trim() === "text/stream") {
      await publishStream(c, realtime, query, base);
    } else {
      const text = await readText(c, MAX_MESSAGE_BYTES);
      await realtime.hub.publish(
        query.topics.map((topic) => ({
          ...base(),
          kind: MessageKind.Data,
          topic,
          data: asData(text),
        })),
      );
    }
    return c.json({ ok: true });
  });

  app.post("/v1/realtime/token", async (c) => {
    requireSigningKey(deps.config, c.req.header("authorization"));
    const topics = parseBody(TokenRequest, await readJson(c, 64 * 1024));
    return c.json({ jwt: await realtime.tokens.mint(topics) }, 201);
  });

  app.get("/v1/realtime/sse", async (c) => {
    const claims = await realtime.tokens.verify(c.req.query("token"));
    const topics = checkScope(claims.topics, new URL(c.req.url).searchParams);
    const outgoing = nodeResponse(c);
    return streamSSE(c, async (stream) => {
      const subscriber = new SseSubscriber(
        stream,
        realtime.limits,
        () => realtime.hub.detach(subscriber.id),
        () => outgoing?.destroy(),
      );
      await realtime.hub.attach(subscriber, topics);
      await subscriber.pump();
    });
  });
}

function parseQuery(c: Context): PublishQuery {
  const url = new URL(c.req.url);
  const runId = url.searchParams.get("run_id");
  const query = parseBody(PublishQuery, {
    channel: url.searchParams.get("channel") ?? "",
    topics: url.searchParams.getAll("topic"),
    ...(runId ? { run_id: runId } : {}),
  });
  if (runIdOfChannel(query.channel) !== undefined) {
    throw new IngotError(
      ErrorCode.InvalidRequest,
      `channel "${query.channel}": channels named run:<id> carry Ingot's own run messages; publish to another name`,
    );
  }
  return query;
}

async function baseMessage(
  realtime: Realtime,
  query: PublishQuery,
): Promise<() => Pick<RealtimeMessage, "channel" | "created_at" | "run_id" | "fn_id">> {
  const fnId = query.run_id === undefined ? undefined : await realtime.hub.functionOf(query.run_id);
  return () => ({
    channel: query.channel,
    created_at: new Date(realtime.now()).toISOString(),
    ...(query.run_id === undefined ? {} : { run_id: query.run_id }),
    ...(fnId === undefined ? {} : { fn_id: fnId }),
  });
}

/** As Inngest: a body that is JSON is the data; anything else is the data as a string. */
function asData(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function publishStream(
  c: Context,
  realtime: Realtime,
  query: PublishQuery,
  base: () => Pick<RealtimeMessage, "channel" | "created_at" | "run_id" | "fn_id">,
): Promise<void> {
  // The stream id is the data of start and end messages: no colons (Inngest's rule).
  const streamId = randomBytes(12).toString("hex");
  const each = (kind: MessageKind, data: unknown, extra: Partial<RealtimeMessage> = {}) =>
    realtime.hub.publish(query.topics.map((topic) => ({ ...base(), kind, topic, data, ...extra })));
  const sent: Promise<void>[] = [each(MessageKind.DatastreamStart, streamId)];
  const decoder = new TextDecoder();
  let size = 0;
  try {
    const body = c.req.raw.body;
    if (body) {
      for await (const piece of pieces(body)) {
        size += piece.byteLength;
        if (size > MAX_STREAM_BYTES) throw tooLarge(MAX_STREAM_BYTES);
        const text = decoder.decode(piece, { stream: true });
        for (let at = 0; at < text.length; at += CHUNK_CHARS) {
          const data = text.slice(at, at + CHUNK_CHARS);
          sent.push(each(MessageKind.Chunk, data, { stream_id: streamId }));
        }
      }
    }
    const rest = decoder.decode();
    if (rest) sent.push(each(MessageKind.Chunk, rest, { stream_id: streamId }));
  } finally {
    // Always end the stream, as Inngest does, so subscribers close it.
    sent.push(each(MessageKind.DatastreamEnd, streamId));
    await Promise.all(sent);
  }
}

async function readText(c: Context, limit: number): Promise<string> {
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  // Straight from Node's request when there is one: building the web Request that `c.req.raw`
  // needs for its body costs more than the rest of a publish (measured: 1,000 → 1,700 msg/s).
  const incoming = nodeRequest(c);
  const body = incoming ? undefined : c.req.raw.body;
  const source = incoming ? fromNode(incoming) : body ? pieces(body) : undefined;
  if (!source) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const piece of source) {
    size += piece.byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(piece);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function* fromNode(incoming: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of incoming) {
    if (chunk instanceof Uint8Array) yield chunk;
  }
}

async function* pieces(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function tooLarge(limit: number): IngotError {
  return new IngotError(
    ErrorCode.PayloadTooLarge,
    `a realtime publish is at most ${limit} bytes; publish smaller messages (or stream with content-type text/stream)`,
  );
}

function parseBody<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new IngotError(
    ErrorCode.InvalidRequest,
    `${where}${issue?.message ?? "invalid request"}; expected ?channel=<name>&topic=<name> and, for tokens, a body [{"channel","name","kind":"run"}]`,
  );
}

/** The Node request under Hono (`c.env.incoming` with `@hono/node-server`), if any. */
function nodeRequest(c: Context): Readable | undefined {
  const env: unknown = c.env;
  if (typeof env !== "object" || env === null || !("incoming" in env)) return undefined;
  return env.incoming instanceof Readable ? env.incoming : undefined;
}

/** The Node response under Hono (`@hono/node-server` passes it as `c.env.outgoing`). */
function nodeResponse(c: Context): { destroy(): void } | undefined {
  const env: unknown = c.env;
  if (typeof env !== "object" || env === null || !("outgoing" in env)) return undefined;
  const outgoing: unknown = env.outgoing;
  if (typeof outgoing !== "object" || outgoing === null || !("destroy" in outgoing))
    return undefined;
  const destroy = outgoing.destroy;
  return typeof destroy === "function" ? { destroy: () => void destroy.call(outgoing) } : undefined;
}
