import { appendFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * A ledger of every Ingot server the tests start (its data directory, which also holds its log)
 * and every secret it was given, so that after the whole suite `tests/run.ts` can search every
 * database file and log for every key (`tests/security/secret-sweep.ts`). One JSON line per
 * entry, appended: test files run in parallel processes.
 */
export const LEDGER_DIR = resolve(import.meta.dirname, "../../../.tmp/secret-ledger");
const LEDGER_FILE = join(LEDGER_DIR, "ledger.jsonl");

export interface LedgerEntry {
  /** A data directory to search, or none (a secret used elsewhere, e.g. in an op). */
  dataDir?: string;
  secrets: string[];
}

function append(entry: LedgerEntry): void {
  mkdirSync(LEDGER_DIR, { recursive: true });
  appendFileSync(LEDGER_FILE, `${JSON.stringify(entry)}\n`);
}

/** Flags and environment variables whose values are secrets. */
const SECRET_FLAGS = new Set([
  "--signing-key",
  "--signing-key-fallback",
  "--event-key",
  "--dashboard-token",
]);
const SECRET_ENV = [
  "INGOT_SIGNING_KEY",
  "INGOT_SIGNING_KEY_FALLBACK",
  "INGOT_EVENT_KEY",
  "INGOT_DASHBOARD_TOKEN",
];

/** Every secret a server launch was given, by flag or environment (`INGOT_AI_KEYS` too). */
export function secretsOfLaunch(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const found: string[] = [];
  args.forEach((arg, index) => {
    const next = args[index + 1];
    if (SECRET_FLAGS.has(arg) && next !== undefined) found.push(next);
  });
  for (const name of SECRET_ENV) found.push(...(env[name]?.split(",") ?? []));
  for (const entry of env.INGOT_AI_KEYS?.split(",") ?? []) {
    const at = entry.indexOf("=");
    if (at > 0) found.push(entry.slice(at + 1));
  }
  // A signing key's hex part is the HMAC key itself: look for it without its prefix too.
  const hexParts = found.flatMap((key) => /^signkey-[a-z0-9]+-(.+)$/i.exec(key)?.[1] ?? []);
  return [...new Set([...found, ...hexParts].map((key) => key.trim()).filter(Boolean))];
}

export function recordServer(dataDir: string, secrets: string[]): void {
  append({ dataDir, secrets });
}

/** A secret the tests hand to an app or a provider call, which no server may keep. */
export function recordSecret(...secrets: string[]): void {
  append({ secrets });
}
