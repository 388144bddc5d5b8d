import { startLlmSim, type LlmSim, type LlmSimOptions } from "@ingot/llm-sim";
import { afterEach } from "vitest";
import { ProviderClient } from "../src/index.js";

const sims: LlmSim[] = [];
const clients: ProviderClient[] = [];

/** A fixed clock, so `created` and reset times are the same in every simulator. */
export const SIM_NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

/** Starts a simulator that is closed after the current test. */
export async function sim(options: LlmSimOptions = {}): Promise<LlmSim> {
  const s = await startLlmSim({ now: () => SIM_NOW, ...options });
  sims.push(s);
  return s;
}

export function client(now: () => number = () => SIM_NOW): ProviderClient {
  const c = new ProviderClient({ connections: 16, now });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** Bytes of a string, for feeding parsers chunk by chunk. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export async function* chunksOf(
  ...chunks: (Uint8Array | string)[]
): AsyncGenerator<Uint8Array, void, undefined> {
  for (const chunk of chunks) yield typeof chunk === "string" ? bytes(chunk) : chunk;
}
