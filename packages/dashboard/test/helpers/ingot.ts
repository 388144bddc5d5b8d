import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The spawn pattern of `tests/conformance/harness/ingot.ts`, trimmed to what these tests use. */

const ROOT = resolve(import.meta.dirname, "../../../..");
const CLI = join(ROOT, "packages/cli/dist/bin.js");

export interface IngotProcess {
  url: string;
  /** Everything the server wrote to stderr (its log). */
  logs(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export function tempDir(prefix = "ingot-dashboard-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts the real `ingot` CLI (`dev` or `start`) and waits for its ready line. */
export async function startIngot(
  options: { mode?: "dev" | "start"; args?: string[]; port?: number } = {},
): Promise<IngotProcess> {
  const port = options.port ?? (await freePort());
  const args = [
    CLI,
    options.mode ?? "dev",
    "--port",
    String(port),
    "--no-discovery",
    "--data-dir",
    tempDir(),
    "--retry-base-ms",
    "200",
    ...(options.args ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, INGOT_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`ingot did not start in 15 s:\n${out}\n${log}`)),
      15_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready at (http:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`ingot exited with ${code} before it was ready:\n${out}\n${log}`));
    });
  });
  return {
    url,
    logs: () => log,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}
