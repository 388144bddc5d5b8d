import { type ChildProcess, execFile, spawn } from "node:child_process";
import { delimiter, resolve } from "node:path";

/**
 * Runs commands as a user would type them (npm, npx, git) in a directory outside the repository.
 * The environment is the user's, minus what `npm test` and vitest add: npm passes its own
 * settings down as `npm_*` variables (`npm_config_local_prefix` would point a child npm back at
 * this repository) and prepends `node_modules/.bin` directories to PATH (a child `npx ingot`
 * could then find this repository's `ingot` instead of the one under test).
 */

export const ROOT = resolve(import.meta.dirname, "../..");

export function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|VITEST|INIT_CWD$|INGOT_)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => !dir.includes("node_modules"))
    .join(delimiter);
  // The npm cache is the user's own: keep using it (installs then need the registry for
  // metadata only), but never the repository's settings.
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  env.npm_config_audit = "false";
  env.npm_config_fund = "false";
  env.npm_config_update_notifier = "false";
  return { ...env, ...extra };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Wall time of the command, in ms. */
  ms: number;
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? userEnv(),
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        if (error) {
          const what = `${command} ${args.join(" ")} (in ${options.cwd})`;
          fail(new Error(`${what} failed: ${error.message}\n${stdout}\n${stderr}`));
        } else done({ stdout, stderr, ms });
      },
    );
  });
}

export interface Running {
  /** The first match of `ready` in stdout (an empty match when none was asked for). */
  match: RegExpExecArray;
  output(): string;
  /** SIGTERM to the whole process group (npx runs the bin in a child), then waits for exit. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running command in its own process group and waits until its stdout matches
 * `ready`. `stop()` ends that group, and only it.
 */
export function start(
  command: string,
  args: readonly string[],
  options: { cwd: string; ready?: RegExp; env?: Record<string, string>; timeoutMs?: number },
): Promise<Running> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? userEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const stop = (): Promise<void> => stopGroup(child);
  const ready = options.ready ?? /(?:)/;
  return new Promise((done, fail) => {
    if (!options.ready) {
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      done({ match: /(?:)/.exec("") as RegExpExecArray, output: () => out + err, stop });
      return;
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      void stop().then(() =>
        fail(new Error(`${command} ${args.join(" ")}: not ready in ${timeoutMs} ms\n${out}${err}`)),
      );
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        done({ match, output: () => out + err, stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${out}${err}`));
    });
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
      return done();
    child.once("exit", () => done());
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      done();
    }
  });
}

/** GET `url`; the status and body. */
export async function get(url: string): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(url);
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get("content-type") ?? "",
  };
}

/** Polls `check` every 200 ms until it returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const reason = last instanceof Error ? `: ${last.message}` : "";
  throw new Error(`timed out waiting for ${what}${reason}`);
}
