import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const CLI = resolve(import.meta.dirname, "../../packages/cli/dist/bin.js");

export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  /** What the server logged, when started with `captureLog` (otherwise it goes to stderr). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `ingot dev` as its own process (as users run it) on a fresh data directory. */
export async function startIngot(
  args: string[] = [],
  env: Record<string, string> = {},
  options: { dataDir?: string; captureLog?: boolean } = {},
): Promise<BenchServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "ingot-bench-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.INGOT_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      CLI,
      "dev",
      "--port",
      "0",
      "--no-discovery",
      "--data-dir",
      dataDir,
      "--log-level",
      "warn",
      ...args,
    ],
    {
      stdio: ["ignore", "pipe", options.captureLog ? "pipe" : "inherit"],
      env: { ...process.env, ...env },
    },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready at (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`ingot exited (${code})`)));
  });
  return {
    url,
    pid: child.pid ?? 0,
    dataDir,
    log: () => log,
    stop: () =>
      new Promise((done) => {
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}
