import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LedgerEntry } from "../conformance/harness/secret-ledger.js";

export interface SweepReport {
  servers: number;
  /** Data directories that were gone by the end (a test removed them). */
  missing: number;
  files: number;
  bytes: number;
  keys: number;
  found: { file: string; key: string }[];
}

/** Keys shorter than this would match ordinary text; every key the tests use is longer. */
const MIN_KEY_CHARS = 8;

/** `sk-abc…xyz`: enough to tell which key was found without printing it. */
export const maskKey = (key: string): string =>
  key.length <= 8 ? "*".repeat(key.length) : `${key.slice(0, 4)}…${key.slice(-2)}`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return [];
    return stat.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Searches every file of every recorded data directory (SQLite database, WAL, log) for every
 * secret any test used, in the encodings a store or log could hold it in: as is, and as JSON
 * string text (where `/` may be escaped).
 */
export function sweep(entries: readonly LedgerEntry[]): SweepReport {
  const keys = [...new Set(entries.flatMap((entry) => entry.secrets))].filter(
    (key) => key.length >= MIN_KEY_CHARS,
  );
  const dirs = [...new Set(entries.flatMap((entry) => entry.dataDir ?? []))];
  const needles = keys.map((key) => ({
    key,
    forms: [...new Set([key, JSON.stringify(key).slice(1, -1), key.replaceAll("/", "\\/")])].map(
      (form) => Buffer.from(form, "utf8"),
    ),
  }));
  const report: SweepReport = {
    servers: dirs.length,
    missing: 0,
    files: 0,
    bytes: 0,
    keys: keys.length,
    found: [],
  };
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      report.missing += 1;
      continue;
    }
    for (const file of filesUnder(dir)) {
      const content = readFileSync(file);
      report.files += 1;
      report.bytes += content.length;
      for (const needle of needles) {
        if (needle.forms.some((form) => content.includes(form)))
          report.found.push({ file, key: maskKey(needle.key) });
      }
    }
  }
  return report;
}

export function readLedger(file: string): LedgerEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LedgerEntry);
}
