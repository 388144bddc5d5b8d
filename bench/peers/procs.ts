import { type ChildProcess, execFile, spawn, type SpawnOptions } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, delimiter, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Child processes the peer bench starts (Restate server, Redis) and their temp directories. They
 * are killed / removed when the bench process exits for any reason, so a failed or interrupted
 * run never leaves servers or data behind.
 * (Postgres is started by the store tests' helper, which has its own exit hook.)
 */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
// A signal would end the process without "exit" handlers: turn it into an exit that runs them.
process.once("SIGINT", () => process.exit(130));
process.once("SIGTERM", () => process.exit(143));

/** Spawns a server process that is killed on exit; stderr/stdout are kept (last 64 KiB) for errors. */
export function spawnServer(file: string, args: string[], options: SpawnOptions = {}): Server {
  const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  children.add(child);
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  return {
    child,
    output: () => output,
    exited,
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Server {
  child: ChildProcess;
  /** The last 64 KiB the process printed. */
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** A fresh directory under the OS temp dir, removed by `removeTempDir` or on exit. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Resolves once `ready()` returns true (polled), or rejects on timeout / early exit. */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean> | boolean,
  options: { timeoutMs?: number; server?: Server } = {},
): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (
      await Promise.resolve()
        .then(ready)
        .catch(() => false)
    )
      return;
    const server = options.server;
    if (server && (server.child.exitCode !== null || server.child.signalCode !== null)) {
      throw new Error(`${what}: process exited (${server.child.exitCode}):\n${server.output()}`);
    }
    if (performance.now() > deadline) {
      throw new Error(`${what}: not ready in time${server ? `:\n${server.output()}` : ""}`);
    }
    await sleep(50);
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A port that is free on 127.0.0.1 right now (never a fixed one: the machine runs other things). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Absolute path of an executable found in `dirs` or on PATH, or undefined. */
export function findExecutable(name: string, dirs: string[] = []): string | undefined {
  const candidates = [...dirs, ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  for (const dir of candidates) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a command to completion; resolves with its stdout, rejects with its stderr in the message. */
export async function runCommand(
  file: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const detail = error as { stderr?: string; message?: string };
    throw new Error(
      `${basename(file)} ${args[0] ?? ""} failed: ${gist(detail.stderr) || detail.message}`,
      {
        cause: error,
      },
    );
  }
}

/** The telling lines of a tool's stderr: no warnings, stack frames or npm's error-object dump. */
function gist(stderr = ""): string {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== "" &&
        !/^npm warn/i.test(line) &&
        !/^(npm error\s+)?at /.test(line) &&
        !/^npm error\s*(syscall|errno|[}{]|$)/.test(line) &&
        !/^npm error\s{2,}\w+: /.test(line),
    )
    .slice(0, 2)
    .join(" / ");
}
