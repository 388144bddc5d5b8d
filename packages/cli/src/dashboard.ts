import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The published `ingot` package ships the built dashboard beside its bundle (`dist/dashboard/`).
 * In the workspace there is none here, and the server finds the `@ingot/dashboard` package.
 */
export function bundledDashboard(): string | undefined {
  // No trailing slash: the server checks that served files lie under `${dir}/`.
  const dir = fileURLToPath(new URL("./dashboard", import.meta.url));
  return existsSync(join(dir, "index.html")) ? dir : undefined;
}
