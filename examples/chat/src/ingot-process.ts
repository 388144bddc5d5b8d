import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Runs `ingot dev` as a child process for `npm start` and waits for its ready line. Ingot's log
 * (stderr) is passed through, prefixed, at the level given (warnings by default, so the demo's
 * console shows the URLs rather than a request log).
 */
export interface IngotChild {
  url: string;
  /** Resolves when the process has exited, with its exit code (or signal). */
  exited: Promise<number | string | null>;
  stop(): Promise<void>;
}

export async function spawnIngot(input: {
  bin: string;
  port: number;
  dataDir: string;
  logLevel: string;
  /** The environment the child inherits (from the config module: nothing else reads it). */
  env: Record<string, string | undefined>;
  write: (text: string) => void;
  readyTimeoutMs?: number;
}): Promise<IngotChild> {
  if (!existsSync(input.bin))
    throw new Error(
      `Ingot's CLI is not built (${input.bin} is missing): run "npx tsc -b" or "npm run build" first`,
    );
  const child: ChildProcess = spawn(
    process.execPath,
    [input.bin, "dev", "--port", String(input.port), "--no-discovery", "--data-dir", input.dataDir],
    {
      env: { ...input.env, INGOT_LOG_LEVEL: input.logLevel },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  let pending = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") input.write(`[ingot] ${line}\n`);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`Ingot did not start within ${input.readyTimeoutMs ?? 20_000} ms:\n${out}`));
    }, input.readyTimeoutMs ?? 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready at (http:\/\/\S+)/u.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/+$/u, ""));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Ingot exited (${String(code)}) before it was ready:\n${out}`));
    });
  });
  return {
    url,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
