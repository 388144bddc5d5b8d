import { type ServerConfig, resolveConfig, SETTINGS } from "@ingot/server";
import { describe, expect, it } from "vitest";
import { parseCommand, UsageError } from "../src/args.js";
import { settingsTable, usage } from "../src/help.js";
import { ingotVersion } from "../src/version.js";
import { readmeSettings } from "./readme-settings.js";

/** Config fields users cannot set, on purpose. Adding a field means deciding which it is. */
const INTERNAL: readonly (keyof ServerConfig)[] = [
  "mode",
  "gatewayConcurrency",
  "systemConcurrency",
  "eventDedupeWindowMs",
  "pollIntervalMs",
];

function run(argv: string[]) {
  const command = parseCommand(argv);
  if (command.kind !== "run") throw new Error(`expected a run command, got ${command.kind}`);
  return command;
}

describe("the settings table", () => {
  it("covers every config field that is not internal, once", () => {
    const keys = SETTINGS.map((setting) => setting.key);
    expect(new Set(keys).size).toBe(keys.length);
    const fields = Object.keys(resolveConfig("dev", {}, {})) as (keyof ServerConfig)[];
    const missing = fields.filter((key) => !keys.includes(key) && !INTERNAL.includes(key));
    expect(missing).toEqual([]);
  });

  it("drives --help: every flag with its environment variable and default", () => {
    const text = usage("9.9.9");
    expect(text).toContain("Ingot 9.9.9");
    expect(text).toMatch(
      /-p, --port PORT\s+port to listen on\n\s+\(env INGOT_PORT, default 8288\)/,
    );
    expect(text).toMatch(/--retry-base-ms MS[^\n]*\n[^\n]*default 1000 in dev, 15000 in start/);
    for (const setting of SETTINGS) {
      if (setting.flag) expect(text).toContain(`--${setting.flag}`);
      if (setting.env) expect(text).toContain(setting.env);
    }
  });

  it("is the README's configuration table (npm run docs:settings rewrites it)", () => {
    expect(readmeSettings()).toBe(settingsTable());
    for (const setting of SETTINGS) {
      const row = settingsTable()
        .split("\n")
        .find((line) => line.includes(setting.env ?? `--${setting.flag ?? "?"}`));
      expect(row, setting.key).toBeDefined();
    }
  });
});

describe("parseCommand", () => {
  it("reads every kind of flag through the table", () => {
    const { mode, flags } = run([
      "start",
      "-u",
      "http://a/api/inngest",
      "--sdk-url",
      "http://b/api/inngest",
      "-p",
      "9000",
      "--no-discovery",
      "--event-key",
      "one",
      "--event-key",
      "two",
      "--ai-allow-private",
      "--log-level",
      "debug",
    ]);
    expect(mode).toBe("start");
    expect(flags).toEqual({
      appUrls: ["http://a/api/inngest", "http://b/api/inngest"],
      port: 9000,
      discovery: false,
      eventKeys: ["one", "two"],
      aiAllowPrivate: true,
      logLevel: "debug",
    });
  });

  it("answers --version and --help before or after the command", () => {
    expect(parseCommand(["--version"]).kind).toBe("version");
    expect(parseCommand(["dev", "-v"]).kind).toBe("version");
    expect(parseCommand([]).kind).toBe("help");
    expect(parseCommand(["start", "--help"]).kind).toBe("help");
    expect(ingotVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("refuses bad input naming the flag", () => {
    expect(() => parseCommand(["dev", "--port", "eighty"])).toThrow(
      new UsageError('--port expects an integer, got "eighty"'),
    );
    expect(() => parseCommand(["dev", "--nope"])).toThrow(/Unknown option '--nope'/);
    expect(() => parseCommand(["serve"])).toThrow(/unknown command "serve"/);
  });
});

describe("resolveConfig from the environment", () => {
  it("parses each kind, flags winning", () => {
    const config = resolveConfig(
      "dev",
      { port: 7000 },
      {
        INGOT_PORT: "9001",
        INGOT_HOST: "0.0.0.0",
        INGOT_EVENT_KEY: "a, b",
        INGOT_CHECKPOINTING: "off",
        INGOT_AI_KEYS: "OpenAI=sk-1,anthropic=sk-2",
      },
    );
    expect(config.port).toBe(7000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.eventKeys).toEqual(["a", "b"]);
    expect(config.checkpointing).toBe(false);
    expect(config.providerKeys).toEqual({ openai: "sk-1", anthropic: "sk-2" });
  });

  it("names the variable or flag of an invalid value", () => {
    expect(() => resolveConfig("dev", {}, { INGOT_CHECKPOINTING: "maybe" })).toThrow(
      /INGOT_CHECKPOINTING expects 1\/true\/yes\/on or 0\/false\/no\/off, got "maybe"/,
    );
    expect(() => resolveConfig("dev", {}, { INGOT_LOG_LEVEL: "loud" })).toThrow(
      /--log-level \/ INGOT_LOG_LEVEL: /,
    );
    expect(() => resolveConfig("dev", {}, { INGOT_LEASE_MS: "5" })).toThrow(/INGOT_LEASE_MS: /);
  });
});
