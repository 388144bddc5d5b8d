import type { Hono, MiddlewareHandler } from "hono";
import { streamSSE } from "hono/streaming";
import { chatStream } from "../chat/stream.js";
import { resultView } from "../chat/result.js";
import type { ChatDeps } from "../chat/deps.js";
import type { ChatService } from "../chat/service.js";
import { ChatError, ErrorCode } from "../errors.js";
import { chatBodySchema, parseBody, readJson } from "./schemas.js";
import { waitSettled } from "./wait.js";

/** A chat body is a question and a few options; anything near this size is not a chat. */
const MAX_CHAT_BODY_BYTES = 256 * 1024;
const HEARTBEAT_MS = 15_000;

/** `POST /api/v1/chat`, its result (optionally long-polled) and its token stream. */
export function chatRoutes(
  app: Hono,
  deps: ChatDeps,
  service: ChatService,
  limit: MiddlewareHandler,
): void {
  const schema = chatBodySchema(deps.config.limits);

  app.post("/api/v1/chat", limit, async (c) => {
    const body = parseBody(schema, await readJson(c.req.raw, MAX_CHAT_BODY_BYTES));
    const request = await service.submit({
      query: body.query,
      temperature: body.temperature ?? undefined,
      max_tokens: body.max_tokens ?? undefined,
      clean: body.clean ?? false,
      conversation_id: body.conversation_id ?? undefined,
      mode: body.mode ?? "durable",
    });
    return c.json(
      {
        request_id: request.id,
        conversation_id: request.conversation_id,
        mode: request.mode,
        result_url: `/api/v1/chat/result/${request.id}`,
        stream_url: `/api/v1/chat/stream/${request.id}`,
      },
      202,
    );
  });

  app.get("/api/v1/chat/result/:requestId", async (c) => {
    const id = c.req.param("requestId");
    let request = await service.request(id);
    const wait = c.req.query("wait");
    if (wait !== undefined && request.status === "pending") {
      const seconds = Number(wait);
      if (!Number.isFinite(seconds) || seconds < 0 || seconds > 60)
        throw new ChatError(ErrorCode.invalidRequest, "wait: expected seconds between 0 and 60");
      request = await waitSettled(deps, request, seconds * 1000, c.req.raw.signal);
    }
    return c.json(resultView(deps.config, request));
  });

  app.get("/api/v1/chat/stream/:requestId", async (c) => {
    const request = await service.request(c.req.param("requestId"));
    const lastEventId = c.req.header("last-event-id") ?? c.req.query("after");
    c.header("x-accel-buffering", "no");
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      const heartbeat = setInterval(
        () => void stream.write(": ping\n\n").catch(() => undefined),
        HEARTBEAT_MS,
      );
      try {
        for await (const event of chatStream(deps, request, {
          lastEventId,
          signal: controller.signal,
        })) {
          await stream.writeSSE({
            event: event.event,
            data: JSON.stringify(event.data),
            ...("id" in event && event.id ? { id: event.id } : {}),
          });
        }
      } finally {
        clearInterval(heartbeat);
        controller.abort();
      }
    });
  });
}
