import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  parseFlagValue,
  type RawSettings,
  type ServerMode,
  SettingError,
  SETTINGS,
} from "@ingot/server";

export type Command =
  { kind: "help" } | { kind: "version" } | { kind: "run"; mode: ServerMode; flags: RawSettings };

export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** parseArgs options for every flag of `SETTINGS` (and its aliases). */
function flagOptions(): Options {
  const options: Options = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
  };
  for (const setting of SETTINGS) {
    if (setting.flag === undefined) continue;
    const type = setting.kind === "boolean" ? ("boolean" as const) : ("string" as const);
    const multiple = setting.kind === "list";
    options[setting.flag] = setting.short
      ? { type, multiple, short: setting.short }
      : { type, multiple };
    for (const alias of setting.aliases ?? []) options[alias] = { type, multiple };
  }
  return options;
}

export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || ["-h", "--help", "help"].includes(command)) return { kind: "help" };
  if (["-v", "--version", "version"].includes(command)) return { kind: "version" };
  if (command !== "dev" && command !== "start")
    throw new UsageError(`unknown command "${command}"; expected "dev" or "start"`);
  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: flagOptions(),
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  return { kind: "run", mode: command, flags: settingsFrom(values) };
}

/** Flag values → settings, through each setting's parser (`--port x` names `--port`). */
function settingsFrom(values: FlagValues): RawSettings {
  const flags: Partial<Record<keyof RawSettings, unknown>> = {};
  for (const setting of SETTINGS) {
    if (setting.flag === undefined) continue;
    const given = [setting.flag, ...(setting.aliases ?? [])]
      .map((name) => values[name])
      .filter((value) => value !== undefined)
      .flatMap((value) => (Array.isArray(value) ? value.map(String) : [value]));
    const last = given.at(-1);
    if (last === undefined) continue;
    try {
      flags[setting.key] = parseFlagValue(
        setting,
        setting.kind === "list" ? given.map(String) : last,
      );
    } catch (error) {
      if (error instanceof SettingError) throw new UsageError(error.message);
      throw error;
    }
  }
  return flags;
}
