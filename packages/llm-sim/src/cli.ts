import { parseArgs } from "node:util";
import { startLlmSim } from "./server.js";
import type { LlmSim } from "./types.js";

export const DEFAULT_PORT = 8289;

const USAGE = `Usage: ingot-llm-sim [--port 8289] [--host 127.0.0.1] [--latency-ms 0] [--chunk-delay-ms 0] [--keys k1,k2]

Simulates the OpenAI, Azure OpenAI, OpenRouter, xAI, DeepSeek, Ollama, Anthropic and Gemini
HTTP APIs. Control API: GET /__sim/health, GET /__sim/requests, POST /__sim/reset,
POST /__sim/enqueue, POST /__sim/default.
`;

function toNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} expects a non-negative integer, got "${value}"`);
  return n;
}

/**
 * Parses the bin's flags and starts a simulator; returns `undefined` after printing help.
 * Kept apart from `bin.ts` so tests can run it in-process.
 */
export async function runCli(
  argv: readonly string[],
  write: (line: string) => void,
): Promise<LlmSim | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "latency-ms": { type: "string" },
      "chunk-delay-ms": { type: "string" },
      keys: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    write(USAGE);
    return undefined;
  }
  const keys = values.keys
    ?.split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  const sim = await startLlmSim({
    port: toNumber("port", values.port, DEFAULT_PORT),
    host: values.host ?? "127.0.0.1",
    latencyMs: toNumber("latency-ms", values["latency-ms"], 0),
    chunkDelayMs: toNumber("chunk-delay-ms", values["chunk-delay-ms"], 0),
    ...(keys && keys.length > 0 ? { keys } : {}),
  });
  write(`llm-sim listening on ${sim.url}\n`);
  return sim;
}
