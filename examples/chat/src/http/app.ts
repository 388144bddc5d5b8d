import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono, type Context } from "hono";
import { serve as serveInngest } from "inngest/hono";
import type { ChatDeps } from "../chat/deps.js";
import type { ChatService } from "../chat/service.js";
import { ChatError, ErrorCode } from "../errors.js";
import { chatCancelledFunction } from "../durable/cancelled-function.js";
import { agentFunction } from "../durable/agent-function.js";
import { chatFunction } from "../durable/chat-function.js";
import { embedDocumentFunction } from "../durable/embed-function.js";
import { rateLimit } from "./rate-limit.js";
import { infoRoute } from "./routes-info.js";
import { chatRoutes } from "./routes-chat.js";
import { libraryRoutes } from "./routes-library.js";
import { realtimeTokenRoute } from "./routes-realtime.js";
import { staticRoutes } from "./static.js";

/**
 * The chat backend's HTTP app: the API (`/api/v1`), the SDK's serve handler (`/api/inngest`)
 * and the web UI. Built by a factory so tests can call `app.request()` without a socket.
 */
export function createHttpApp(
  deps: ChatDeps,
  service: ChatService,
  options: { uiDir?: string } = {},
): Hono {
  const app = new Hono();
  const limit = rateLimit({
    perMinute: deps.config.rateLimit.perMinute,
    clientKey: (c) => clientKey(c, deps.config.rateLimit.trustProxy),
  });

  const inngestHandler = serveInngest({
    client: deps.inngest,
    functions: [
      chatFunction(deps),
      chatCancelledFunction(deps),
      embedDocumentFunction(deps),
      agentFunction(deps),
    ],
  });
  app.on(["GET", "PUT", "POST"], "/api/inngest", (c) => inngestHandler(c));

  app.get("/health", (c) => c.json({ status: "ok" }));
  infoRoute(app, deps);
  chatRoutes(app, deps, service, limit);
  realtimeTokenRoute(app, deps, service);
  libraryRoutes(app, deps, service, limit);
  app.all("/api/*", (c) => {
    throw new ChatError(ErrorCode.notFound, `no route ${c.req.method} ${c.req.path}`);
  });
  staticRoutes(app, options.uiDir);

  app.onError((error, c) => {
    if (error instanceof ChatError) {
      if (error.retryAfter !== undefined) c.header("retry-after", String(error.retryAfter));
      return c.json({ error: error.message, code: error.code }, error.status);
    }
    deps.logger.error("unhandled error", { path: c.req.path, error });
    return c.json(
      { error: "internal error; see the chat server's log", code: ErrorCode.internal },
      500,
    );
  });
  return app;
}

/** The client's address; behind a trusted proxy, the first `X-Forwarded-For` entry. */
function clientKey(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // `app.request()` in tests has no socket.
    return "local";
  }
}
