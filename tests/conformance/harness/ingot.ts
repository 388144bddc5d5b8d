import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { recordServer, secretsOfLaunch } from "./secret-ledger.js";

const ROOT = resolve(import.meta.dirname, "../../..");
export const CLI = join(ROOT, "packages/cli/dist/bin.js");

export interface IngotProcess {
  url: string;
  port: number;
  dataDir: string;
  /** Pid of the current server process. */
  pid(): number;
  /** Everything the server wrote to stderr (its log). */
  logs(): string;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** kill -9, as a crash. */
  kill(): Promise<void>;
  /** Starts a new process on the same port and data directory. */
  restart(): Promise<void>;
}

export interface IngotOptions {
  mode?: "dev" | "start";
  args?: string[];
  env?: Record<string, string>;
  dataDir?: string;
  port?: number;
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

export function tempDir(prefix = "ingot-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts the real `ingot` CLI as a child process and waits for its ready line. */
export async function startIngot(options: IngotOptions = {}): Promise<IngotProcess> {
  const mode = options.mode ?? "dev";
  const dataDir = options.dataDir ?? tempDir();
  const port = options.port ?? (await freePort());
  let log = "";
  let child: ChildProcess | undefined;

  const launch = async (): Promise<string> => {
    const args = [
      // e.g. INGOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server
      ...(process.env.INGOT_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      CLI,
      mode,
      "--port",
      String(port),
      "--no-discovery",
      "--data-dir",
      dataDir,
      "--retry-base-ms",
      "100",
      ...(options.args ?? []),
    ];
    const env = { ...process.env, INGOT_LOG_LEVEL: "info", ...options.env };
    const proc = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    // The log is also kept in the data directory, where the secret sweep reads it.
    recordServer(dataDir, secretsOfLaunch(args, env));
    mkdirSync(dataDir, { recursive: true });
    const logFile = createWriteStream(join(dataDir, "ingot.log"), { flags: "a" });
    proc.once("exit", () => logFile.end());
    proc.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      logFile.write(chunk);
    });
    return new Promise((resolveUrl, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`ingot did not start in 15 s:\n${out}\n${log}`)),
        15_000,
      );
      proc.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /ready at (http:\/\/\S+)/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`ingot exited with ${code} before it was ready:\n${out}\n${log}`));
      });
    });
  };

  const exited = (proc: ChildProcess | undefined): Promise<void> =>
    new Promise((done) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return done();
      proc.once("exit", () => done());
    });

  const url = await launch();
  return {
    url,
    port,
    dataDir,
    logs: () => log,
    pid: () => child?.pid ?? 0,
    async stop() {
      const proc = child;
      proc?.kill("SIGTERM");
      await exited(proc);
    },
    async kill() {
      const proc = child;
      proc?.kill("SIGKILL");
      await exited(proc);
    },
    async restart() {
      await launch();
    },
  };
}
