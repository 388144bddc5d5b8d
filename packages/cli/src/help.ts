import { defaultConfig, flagLabel, type ServerConfig, type Setting, SETTINGS } from "@ingot/server";

/**
 * `ingot --help` and the README's configuration table, both rendered from `SETTINGS`, with the
 * defaults read from `defaultConfig` of each mode.
 */

/** A config value as users read it: `8288`, `true`, `a,b`, `—` (none). */
function shownValue(value: unknown): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  if (Array.isArray(value) && value.length > 0) return value.join(",");
  return "—";
}

/** Default of a setting in both modes; `code` wraps values for Markdown. */
export function defaultText(setting: Setting, code: (text: string) => string = String): string {
  if (setting.shown !== undefined) return setting.shown;
  const dev = shownValue(defaultConfig("dev")[setting.key]);
  const start = shownValue(defaultConfig("start")[setting.key]);
  if (setting.requiredInStart && dev === "—" && start === "—") return "required in start";
  return dev === start ? code(dev) : `${code(dev)} in dev, ${code(start)} in start`;
}

const COLUMN = 30;
const WIDTH = 100;

function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** `label` in the left column, then `text` wrapped under the right column. */
function entry(label: string, texts: readonly string[]): string {
  const lines = texts.flatMap((text) => wrap(text, COLUMN));
  const pad = " ".repeat(COLUMN);
  const first = label.length + 4 <= COLUMN ? `  ${label.padEnd(COLUMN - 2)}` : `  ${label}\n${pad}`;
  return [first + (lines[0] ?? ""), ...lines.slice(1).map((line) => pad + line)].join("\n");
}

/** `(env INGOT_PORT, default 8288)`, or less when a setting has no variable or no default. */
function origin(setting: Setting, withEnv: boolean): string[] {
  const shown = defaultText(setting);
  const parts = [
    withEnv && setting.env
      ? `env ${setting.env}${setting.kind === "list" ? " as a comma list" : ""}`
      : "",
    shown === "—" ? "" : shown.startsWith("required") ? shown : `default ${shown}`,
  ].filter(Boolean);
  return parts.length > 0 ? [`(${parts.join(", ")})`] : [];
}

function flagEntry(setting: Setting): string {
  // Long-only flags line up with the long part of `-p, --port`.
  const flag = setting.short ? (flagLabel(setting) ?? "") : `    ${flagLabel(setting) ?? ""}`;
  const label = `${flag}${setting.arg ? ` ${setting.arg}` : ""}`;
  const meaning = setting.kind === "list" ? `${setting.meaning} (repeatable)` : setting.meaning;
  return entry(label, [meaning, ...origin(setting, true)]);
}

function envEntry(setting: Setting): string {
  return entry(setting.env ?? "", [setting.meaning, ...origin(setting, false)]);
}

export function usage(version: string): string {
  const flags = SETTINGS.filter((setting) => setting.flag !== undefined);
  const envOnly = SETTINGS.filter((setting) => setting.flag === undefined);
  const secrets = SETTINGS.filter((setting) => setting.secret && setting.env)
    .map((setting) => setting.env)
    .join(", ");
  return [
    `Ingot ${version}: durable execution for the official Inngest SDKs, with an AI gateway.`,
    "",
    "Usage:",
    "  ingot dev   [-u URL]... [flags]   development server: no auth, syncs the apps at -u URLs",
    "  ingot start [-u URL]... [flags]   production mode: signed requests to apps, event keys,",
    "                                    API and dashboard sign-in (needs the signing and event keys)",
    "  ingot --version | --help",
    "",
    "Flags (a flag wins over its environment variable, which wins over the default):",
    ...flags.map(flagEntry),
    entry("-v, --version", ["print the version"]),
    entry("-h, --help", ["show this help"]),
    "",
    "Environment only:",
    ...envOnly.map(envEntry),
    "",
    ...wrap(`Give keys by environment rather than by flag, since flags show in ps: ${secrets}.`, 0),
    "Docs: README.md (your app on Ingot), docs/operations.md (deployment).",
  ].join("\n");
}

const cell = (text: string): string => text.replaceAll("|", "\\|");
const code = (text: string): string => (text === "—" ? text : `\`${text}\``);

/** The README's configuration table: `| flag | environment | default | meaning |`. */
export function settingsTable(): string {
  const rows = SETTINGS.map((setting) => {
    const flag = flagLabel(setting);
    const flagCell = flag
      ? `\`${flag}${setting.arg ? ` ${setting.arg}` : ""}\`${setting.kind === "list" ? " (repeatable)" : ""}`
      : "";
    const envCell = setting.env
      ? `\`${setting.env}\`${setting.kind === "list" ? " (comma list)" : ""}`
      : "";
    return `| ${flagCell} | ${envCell} | ${cell(defaultText(setting, code))} | ${cell(setting.meaning)} |`;
  });
  return ["| flag | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** What `ingot start` tells its operator once it listens; never a key itself. */
export function productionNotice(config: ServerConfig, url: string): string {
  const token = config.dashboardToken
    ? "the dashboard token (INGOT_DASHBOARD_TOKEN)"
    : "the signing key (INGOT_DASHBOARD_TOKEN sets another token)";
  return [
    "  Production mode: requests to apps are signed, /e/ takes only the event keys, and the API",
    "  needs the signing key as a bearer token.",
    `  Dashboard: ${url}, sign in with ${token}.`,
    "",
  ].join("\n");
}
