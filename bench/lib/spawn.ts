import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const TSX = resolve(import.meta.dirname, "../../node_modules/tsx/dist/loader.mjs");

export interface BenchProcess {
  /** The URL the process printed (`listening <url>`). */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs a bench TypeScript entry (`bench/lib/sdk-app.ts`, `bench/floor/stub-server.ts`, …) as a
 * process of its own and resolves with the URL it prints as `listening <url>`.
 */
export async function spawnBenchProcess(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<BenchProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", TSX, file, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`${file} exited (${code})`)));
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The official SDK app of the durable-steps bench (`sdk-app.ts`), pointed at `serverUrl`. */
export function startSdkApp(
  serverUrl: string,
  options: { appId: string; checkpointing: boolean },
): Promise<BenchProcess> {
  return spawnBenchProcess(resolve(import.meta.dirname, "sdk-app.ts"), [
    serverUrl,
    options.appId,
    ...(options.checkpointing ? [] : ["classic"]),
  ]);
}
