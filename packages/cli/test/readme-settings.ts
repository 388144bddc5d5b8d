import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { settingsTable } from "../src/help.js";

/** The README's configuration table sits between these markers and is rendered from SETTINGS. */
export const README = resolve(import.meta.dirname, "../../../README.md");
const BEGIN = "<!-- settings:begin (npm run docs:settings writes this table) -->";
const END = "<!-- settings:end -->";

export function readmeSettings(text = readFileSync(README, "utf8")): string | undefined {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) return undefined;
  return text.slice(begin + BEGIN.length, end).trim();
}

/** Rewrites the table in README.md; `npm run docs:settings`. */
export function writeReadmeSettings(): void {
  const text = readFileSync(README, "utf8");
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} … ${END} block`);
  const table = `${BEGIN}\n\n${settingsTable()}\n\n`;
  writeFileSync(README, text.slice(0, begin) + table + text.slice(end));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename))
  writeReadmeSettings();
