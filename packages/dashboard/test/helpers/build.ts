import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const PACKAGE = resolve(import.meta.dirname, "../..");
const VITE = resolve(PACKAGE, "../../node_modules/vite/bin/vite.js");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Builds the dashboard (as `npm run build -w @ingot/dashboard` does) when `dist/` is missing
 * or older than the sources, so the server under test serves the code under test.
 */
export function ensureDashboardBuilt(): void {
  const index = join(PACKAGE, "dist/index.html");
  const sources = Math.max(
    newest(join(PACKAGE, "src")),
    statSync(join(PACKAGE, "index.html")).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [VITE, "build"], { cwd: PACKAGE, stdio: "pipe" });
}
