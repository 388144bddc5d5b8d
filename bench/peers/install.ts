import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installedVersion, PEERS_DIR, restateServerBinary } from "./load.js";
import { findExecutable, runCommand } from "./procs.js";

/**
 * Installs the peers on demand into `bench/.peers/` (git-ignored, with its own package.json),
 * never as dependencies of the project: the Restate server package alone is ~225 MB, and users
 * of Ingot must not download it with `npm install`. Versions are pinned to the ones verified on
 * Node 20 (shared/research/peers.md §2.2, §3).
 */
export const PINNED = {
  restate: { "@restatedev/restate-server": "1.7.12", "@restatedev/restate-sdk": "1.17.2" },
  dbos: { "@dbos-inc/dbos-sdk": "5.3.0" },
  bullmq: { bullmq: "6.7.0", ioredis: "6.0.0" },
} as const;

export type PeerName = keyof typeof PINNED;

export type Availability =
  { available: true; versions: Record<string, string> } | { available: false; reason: string };

export type PeerAvailability = Record<PeerName, Availability>;

/**
 * Makes every peer available that can be: npm packages (only the missing ones), Debian's
 * redis-server (apt-get, as root), and Postgres (expected preinstalled; apt-get as root if not).
 * Never throws: a peer that cannot be had comes back unavailable, with the reason.
 */
export async function ensurePeers(
  log: (line: string) => void = () => {},
  peers: PeerName[] = Object.keys(PINNED) as PeerName[],
): Promise<Partial<PeerAvailability>> {
  const result: Partial<PeerAvailability> = {};
  for (const peer of peers) {
    try {
      await installPackages(peer, log);
      result[peer] = await checkPeer(peer, log);
    } catch (error) {
      result[peer] = { available: false, reason: message(error) };
    }
  }
  return result;
}

async function installPackages(peer: PeerName, log: (line: string) => void): Promise<void> {
  const wanted = Object.entries(PINNED[peer]);
  const missing = wanted.filter(([name, version]) => installedVersion(name) !== version);
  if (missing.length === 0) return;
  mkdirSync(PEERS_DIR, { recursive: true });
  const manifest = join(PEERS_DIR, "package.json");
  if (!existsSync(manifest)) {
    // Its own root, so npm neither walks up into the workspace nor touches the repo's lockfile.
    writeFileSync(
      manifest,
      `${JSON.stringify(
        {
          name: "ingot-bench-peers",
          private: true,
          description:
            "Peers for npm run bench, installed by bench/peers/install.ts. Not committed.",
        },
        null,
        2,
      )}\n`,
    );
  }
  const specs = missing.map(([name, version]) => `${name}@${version}`);
  log(`installing ${specs.join(" ")} into ${PEERS_DIR} ...`);
  const started = performance.now();
  await runCommand(
    npmCommand(),
    ["install", "--prefix", PEERS_DIR, "--no-audit", "--no-fund", "--save-exact", ...specs],
    { cwd: PEERS_DIR, timeoutMs: 15 * 60_000 },
  );
  log(`installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function checkPeer(peer: PeerName, log: (line: string) => void): Promise<Availability> {
  const versions: Record<string, string> = {};
  for (const name of Object.keys(PINNED[peer])) {
    const version = installedVersion(name);
    if (!version) return { available: false, reason: `npm package ${name} is not installed` };
    versions[name] = version;
  }
  if (peer === "restate") {
    // The binary comes in an optional platform package, which npm skips silently on failure.
    const binary = restateServerBinary();
    if (!binary) {
      return {
        available: false,
        reason: `no restate-server binary for ${process.platform}-${process.arch} (optional package not installed)`,
      };
    }
    const output = await runCommand(binary, ["--version"]);
    versions["restate-server"] = /\d+\.\d+\.\d+\S*/.exec(output)?.[0] ?? output.trim();
  }
  if (peer === "bullmq") {
    const redis = await ensureDebian("redis-server", "redis-server", [], log);
    versions.redis = /v=(\S+)/.exec(await runCommand(redis, ["--version"]))?.[1] ?? "?";
  }
  if (peer === "dbos") {
    const pgCtl = await ensureDebian("pg_ctl", "postgresql", postgresDirs(), log);
    versions.postgres = /\)\s+(\S+)/.exec(await runCommand(pgCtl, ["--version"]))?.[1] ?? "?";
  }
  return { available: true, versions };
}

/** Debian's Postgres keeps initdb / pg_ctl off PATH, in /usr/lib/postgresql/<major>/bin. */
export function postgresDirs(): string[] {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(root, major, "bin"));
}

/** Finds an executable, installing its Debian package first when missing and we are root. */
async function ensureDebian(
  executable: string,
  debianPackage: string,
  dirs: string[],
  log: (line: string) => void,
): Promise<string> {
  const found = findExecutable(executable, dirs);
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(`${executable} not found (install the Debian package ${debianPackage})`);
  }
  log(`apt-get install -y ${debianPackage} ...`);
  const apt = {
    timeoutMs: 10 * 60_000,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  };
  try {
    await runCommand("apt-get", ["install", "-y", "-qq", debianPackage], apt);
  } catch {
    // A stale or empty package list is the usual cause; refresh it once and retry.
    await runCommand("apt-get", ["update", "-qq"], apt);
    await runCommand("apt-get", ["install", "-y", "-qq", debianPackage], apt);
  }
  const installed = findExecutable(executable, [...dirs, ...postgresDirs()]);
  if (!installed)
    throw new Error(`${executable} still not found after installing ${debianPackage}`);
  return installed;
}

function npmCommand(): string {
  // The npm that runs this Node (so the peers are installed for the same Node version).
  return findExecutable("npm", [join(process.execPath, "..")]) ?? "npm";
}

export function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").slice(0, 6).join(" / ");
}
