import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

/** The built `ingot` bin as users run it (`npm test` builds first). */
const BIN = resolve(import.meta.dirname, "../bin/ingot.js");
const VERSION = (
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../package.json"), "utf8")) as {
    version: string;
  }
).version;
const SIGNING_KEY = `signkey-test-${"cd".repeat(32)}`;
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the bin until stdout matches `until`, then stops it; everything it printed. */
function output(args: string[], env: Record<string, string>, until: RegExp): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), "ingot-bin-"));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [BIN, ...args, "--port", "0", "--data-dir", dataDir], {
    env: { PATH: process.env.PATH ?? "", INGOT_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (until.test(out)) child.kill("SIGTERM");
    });
    child.once("exit", () => {
      clearTimeout(timer);
      if (until.test(out)) done(out + err);
      else fail(new Error(`ingot ${args.join(" ")} exited without ${until}:\n${out}${err}`));
    });
  });
}

describe("the ingot bin", () => {
  it("prints its version", () => {
    expect(execFileSync(process.execPath, [BIN, "--version"], { encoding: "utf8" })).toBe(
      `${VERSION}\n`,
    );
  });

  it("start says it runs in production mode and how to sign in, never the key", async () => {
    const printed = await output(
      ["start"],
      { INGOT_SIGNING_KEY: SIGNING_KEY, INGOT_EVENT_KEY: "event-key-0000000001" },
      /Dashboard: .*\n/,
    );
    const url = /Ingot server ready at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(printed)?.[1];
    expect(url).toBeDefined();
    expect(printed).toContain("Production mode: requests to apps are signed");
    expect(printed).toContain(`Dashboard: ${url}, sign in with the signing key`);
    expect(printed).not.toContain("cdcdcd");
    expect(printed).not.toContain("event-key-0000000001");
  });

  it("dev prints just its ready line", async () => {
    const printed = await output(["dev", "--no-discovery"], {}, /ready at .*\n/);
    expect(printed).toMatch(/^Ingot dev server ready at http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it("refuses a bad flag with exit code 2 and a pointer to --help", () => {
    let failure: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [BIN, "dev", "--port", "x"], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      failure = error as { status?: number; stderr?: string };
    }
    expect(failure.status).toBe(2);
    expect(failure.stderr).toBe(
      'ingot: --port expects an integer, got "x"\n(ingot --help lists every flag)\n',
    );
  });
});
