import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../packages/llm-sim/dist/bin.js", import.meta.url));

export interface SimProcess {
  url: string;
  pid: number;
  close(): Promise<void>;
}

/**
 * The provider simulator in a process of its own, as a real provider is: load tests then
 * measure the app and Ingot, not the simulator sharing the app's thread.
 */
export async function startSimProcess(options: { latencyMs?: number } = {}): Promise<SimProcess> {
  const child = spawn(
    process.execPath,
    [BIN, "--port", "0", "--latency-ms", String(options.latencyMs ?? 0)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`llm-sim did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`llm-sim exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid ?? 0,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
