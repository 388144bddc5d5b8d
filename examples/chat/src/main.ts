#!/usr/bin/env node
import { ConfigError, loadChatConfig, processEnv } from "./config.js";
import { startChatServer } from "./server.js";

/**
 * The chat backend alone, against an Ingot that is already running (`INGOT_URL`, default
 * http://127.0.0.1:8288). `npm start` at the root uses `start.ts` instead, which boots both.
 */
async function main(): Promise<void> {
  const config = loadChatConfig(processEnv());
  const server = await startChatServer(config);
  process.stdout.write(`Ingot Chat ready at ${server.url} (Ingot: ${config.ingot.url})\n`);
  if (server.simUrl)
    process.stdout.write("No model API key set: answers are SIMULATED (llm-sim).\n");
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? "configuration error: " : ""}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
