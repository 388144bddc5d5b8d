import { ErrorCode, IngotError } from "@ingot/protocol";
import { Hono } from "hono";
import type { HttpDeps } from "./context.js";
import { errorResponse } from "./errors.js";
import { actionRoutes } from "./routes-actions.js";
import { realtimeRoutes } from "../realtime/index.js";
import { authRoutes } from "./routes-auth.js";
import { restRoutes } from "./routes-rest.js";
import { sdkRoutes } from "./routes-sdk.js";
import { staticRoutes } from "./routes-static.js";
import { streamRoutes } from "./routes-stream.js";

/** The server's routes as a Hono app: testable with `app.request()`, no socket needed. */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error, deps.logger));
  app.notFound((c) =>
    errorResponse(
      c,
      new IngotError(ErrorCode.RouteNotFound, `no route for ${c.req.method} ${c.req.path}`),
      deps.logger,
    ),
  );
  app.get("/health", (c) =>
    c.json({ status: "ok", mode: deps.config.mode, node: deps.executor.owner }),
  );
  authRoutes(app, deps);
  sdkRoutes(app, deps);
  // Before the REST API's `/v1/*` guard: Realtime authenticates each route itself (signing key
  // to publish and mint tokens, a subscription token to read).
  realtimeRoutes(app, deps, deps.realtime);
  restRoutes(app, deps);
  actionRoutes(app, deps);
  streamRoutes(app, deps);
  staticRoutes(app, deps.dashboardDir);
  return app;
}
