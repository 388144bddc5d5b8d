import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

/**
 * The one place that reaches into `bench/.peers/` (or `$INGOT_BENCH_PEERS_DIR`, e.g. a cache kept
 * outside the work tree). The peers are installed there on demand by `install.ts` and are
 * deliberately not dependencies of the project, so Node cannot resolve them
 * from the repo: everything is loaded with a `require` rooted in that directory. All peers are
 * loaded through `require` (their CommonJS builds) so that e.g. BullMQ and the ioredis client we
 * hand it are the same module instances.
 */
export const PEERS_DIR = process.env.INGOT_BENCH_PEERS_DIR
  ? resolve(process.env.INGOT_BENCH_PEERS_DIR)
  : resolve(import.meta.dirname, "../.peers");

const peerRequire = createRequire(join(PEERS_DIR, "package.json"));

/** Loads an installed peer package. `T` is the small slice of its API the bench uses. */
export function requirePeer<T>(name: string): T {
  return peerRequire(name) as T;
}

/** Directory of an installed package, or undefined when it is not installed. */
export function packageDir(name: string): string | undefined {
  const dir = join(PEERS_DIR, "node_modules", name);
  return existsSync(join(dir, "package.json")) ? dir : undefined;
}

/** Version of an installed package, or undefined when it is not installed. */
export function installedVersion(name: string): string | undefined {
  const dir = packageDir(name);
  if (!dir) return undefined;
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string })
    .version;
}

/** The Restate server binary from its platform package (`@restatedev/restate-server-<os>-<cpu>`). */
export function restateServerBinary(): string | undefined {
  const dir = packageDir(`@restatedev/restate-server-${process.platform}-${process.arch}`);
  const binary = dir && join(dir, "bin", "restate-server");
  return binary && existsSync(binary) ? binary : undefined;
}
