import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import type { Hono } from "hono";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/**
 * Serves the dashboard (a built single-page app) at `/`: files from `root`, and `index.html`
 * for any other page path so client-side routes work on reload. API paths are never shadowed:
 * they are registered before this.
 */
export function staticRoutes(app: Hono, root: string | undefined): void {
  app.get("*", async (c, next) => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    if (isApiPath(path)) return next();
    if (root === undefined) {
      return c.html(
        "<!doctype html><title>Ingot</title><p>The dashboard is not built. Run <code>npm run build</code>. The API is at <code>/v1</code>.</p>",
      );
    }
    const file = await resolveFile(root, path);
    if (file !== undefined) {
      const body = await readFile(file);
      const immutable = file.includes(`${sep}assets${sep}`);
      return c.body(body, 200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      });
    }
    if (extname(path) !== "") return next();
    const index = await readFile(join(root, "index.html"));
    return c.body(index, 200, { "content-type": TYPES[".html"]!, "cache-control": "no-cache" });
  });
}

/** Paths that belong to the API: an unknown one is a JSON 404, never the dashboard page. */
function isApiPath(path: string): boolean {
  return /^\/(v\d+|e|fn|auth|health)(\/|$)/.test(path);
}

async function resolveFile(root: string, path: string): Promise<string | undefined> {
  const relative = normalize(path).replace(/^([/\\])+/, "");
  const file = join(root, relative === "" ? "index.html" : relative);
  if (!file.startsWith(root + sep) && file !== root) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}
