import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { isIngotError } from "@ingot/protocol";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../logger.js";
import type { RealtimeHub } from "./hub.js";
import { ClientMessage, MessageKind } from "./schemas.js";
import { CloseCode, type Subscriber, type SubscriberLimits, tooSlowReason } from "./subscriber.js";
import type { RealtimeTokens } from "./tokens.js";
import { checkScope } from "./scope.js";

export const CONNECT_PATH = "/v1/realtime/connect";

/** Client messages are tokens and topic lists: small. */
const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

let nextId = 1;

export interface SocketDeps {
  hub: RealtimeHub;
  tokens: RealtimeTokens;
  logger: Logger;
  limits: SubscriberLimits;
}

/**
 * `WS /v1/realtime/connect?token=<jwt>` (spec §2.5), on the `ws` library: the token is checked
 * before the upgrade, so a bad one gets a plain HTTP 401/403 with a JSON reason.
 */
export function attachRealtimeSockets(server: Server, deps: SocketDeps): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    upgrade(wss, deps, request, socket, head).catch((error: unknown) => {
      deps.logger.warn({ err: error }, "realtime: WebSocket upgrade failed");
      socket.destroy();
    });
  };
  server.on("upgrade", onUpgrade);
  return () => {
    server.off("upgrade", onUpgrade);
    for (const client of wss.clients) client.terminate();
    wss.close();
  };
}

async function upgrade(
  wss: WebSocketServer,
  deps: SocketDeps,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on("error", () => socket.destroy());
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname !== CONNECT_PATH) {
    refuse(
      socket,
      404,
      "route_not_found",
      `no WebSocket route at ${url.pathname}; use ${CONNECT_PATH}`,
    );
    return;
  }
  let topics;
  try {
    const claims = await deps.tokens.verify(url.searchParams.get("token") ?? undefined);
    topics = checkScope(claims.topics, url.searchParams);
  } catch (error) {
    if (!isIngotError(error)) throw error;
    refuse(socket, error.status, error.code, error.message);
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    const subscriber = new SocketSubscriber(ws, deps.limits, () => deps.hub.detach(subscriber.id));
    ws.on("message", (raw, binary) => {
      if (!binary) void handleClientMessage(deps, subscriber, textOf(raw));
    });
    deps.hub.attach(subscriber, topics).catch((error: unknown) => {
      deps.logger.warn({ err: error }, "realtime: subscription failed");
      subscriber.close(1011, "subscription failed; see the server log");
    });
  });
}

async function handleClientMessage(deps: SocketDeps, subscriber: SocketSubscriber, text: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  const message = ClientMessage.safeParse(parsed);
  if (!message.success) return;
  const body = message.data;
  if (body.kind === "sub") {
    try {
      const claims = await deps.tokens.verify(body.data);
      await deps.hub.extend(subscriber, claims.topics);
    } catch (error) {
      if (!isIngotError(error)) throw error;
      subscriber.sendJson({ kind: MessageKind.Closing, data: error.message });
    }
  } else if (body.kind === "unsub") {
    deps.hub.narrow(subscriber, body.data);
  }
}

function textOf(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString("utf8");
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  return Buffer.from(new Uint8Array(raw)).toString("utf8");
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: message, code });
  const reason = status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Not Found";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * A WebSocket subscriber with a bounded send buffer: when more than `maxBufferedBytes` sit
 * unsent (the reader stopped reading, or reads slower than messages come), it is closed with
 * code 4008 and a reason, and cut off if it does not finish closing within the grace period.
 */
export class SocketSubscriber implements Subscriber {
  readonly id = nextId++;
  private closed = false;
  private alive = true;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: SubscriberLimits,
    private readonly onClose: () => void,
  ) {
    ws.on("pong", () => {
      this.alive = true;
    });
    ws.on("close", () => this.finish());
    ws.on("error", () => this.finish());
  }

  send(text: string): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount + text.length > this.limits.maxBufferedBytes) {
      this.close(CloseCode.TooSlow, tooSlowReason(this.limits));
      return;
    }
    this.ws.send(text);
  }

  sendJson(value: object): void {
    this.send(JSON.stringify(value));
  }

  ping(): void {
    if (this.closed) return;
    if (!this.alive) {
      // No pong since the last ping: the peer is gone without a goodbye.
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
    this.sendJson({ kind: MessageKind.Ping, data: null, created_at: new Date().toISOString() });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.finish();
    this.ws.close(code, reason.slice(0, 120));
    setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs).unref();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}
