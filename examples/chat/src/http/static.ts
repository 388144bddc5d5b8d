import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

/** `web/dist`, next to `src` and `dist` alike. */
const UI_DIR = fileURLToPath(new URL("../../web/dist/", import.meta.url));

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Ingot Chat</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>Ingot Chat</h1><p>The web UI is not built yet. Run <code>npm run build -w @ingot/chat</code>
(or <code>npm install</code> at the repository root) and reload. The API is up at
<code>/api/v1</code>.</p></body>`;

/** Serves the built React app; unknown non-API paths get `index.html` (client-side routes). */
export function staticRoutes(app: Hono, uiDir = UI_DIR): void {
  if (!existsSync(`${uiDir}index.html`)) {
    app.get("/", (c) => c.html(NOT_BUILT));
    return;
  }
  // serveStatic resolves `root` against the working directory and takes no absolute path.
  const root = relative(process.cwd(), uiDir) || ".";
  app.use("/assets/*", serveStatic({ root }));
  app.get("/favicon.svg", serveStatic({ root }));
  app.get("*", async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    return serveStatic({ root, path: "index.html" })(c, next);
  });
}
