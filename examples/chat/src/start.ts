#!/usr/bin/env node
import { ConfigError, loadStartConfig, processEnv, type StartConfig } from "./config.js";
import { describeError } from "./errors.js";
import { IngotApi } from "./ingot/api.js";
import { type IngotChild, spawnIngot } from "./ingot-process.js";
import { createLogger } from "./logger.js";
import { type ChatServer, startChatServer } from "./server.js";

/**
 * `npm start`: the whole demo in one command — Ingot (`INGOT_PORT`, default 8288, data in
 * `./.ingot`), the chat backend and UI (`PORT`, default 3000, data in `./.chat`), and the
 * offline simulator when no provider key is set. Prints the URLs; Ctrl-C stops everything.
 */
const out = (text: string) => void process.stdout.write(text);

async function bootIngot(
  config: StartConfig,
): Promise<{ url: string; child: IngotChild | undefined }> {
  if (config.externalIngot) return { url: config.chat.ingot.url, child: undefined };
  // One already listening on the port (a previous `npm start`, or `npx ingot dev`): use it.
  const existing = new IngotApi(config.chat.ingot.url, config.chat.ingot.signingKey);
  if (await existing.health()) {
    out(`Using the Ingot server already running at ${config.chat.ingot.url}\n`);
    return { url: config.chat.ingot.url, child: undefined };
  }
  const child = await spawnIngot({
    bin: config.ingotBin,
    port: config.ingotPort,
    dataDir: config.ingotDataDir,
    logLevel: config.ingotLogLevel,
    env: processEnv(),
    write: (text) => void process.stderr.write(text),
  });
  return { url: child.url, child };
}

function banner(config: StartConfig, chat: ChatServer, ingotUrl: string): string {
  const { provider } = chat.deps;
  const lines = [
    "",
    "  Ingot Chat is ready",
    "",
    `  Chat UI           ${chat.url}`,
    `  Chat API          ${chat.url}/api/v1  (POST /chat, GET /chat/result/:id, GET /chat/stream/:id)`,
    `  Ingot dashboard   ${ingotUrl}`,
    `  Model             ${chat.simUrl ? `simulated (llm-sim at ${chat.simUrl})` : `${provider.id} · ${provider.model}`}`,
    `  Retrieval         ${config.chat.embeddings.enabled ? `BM25 + embeddings (${provider.embeddingModel ?? "?"})` : "BM25 (lexical)"} over ${chat.deps.retriever.size} passages`,
    `  Data              ${config.chat.databaseUrl ? "Postgres (DATABASE_URL)" : config.chat.dataDir}, Ingot: ${config.externalIngot ? "external" : config.ingotDataDir}`,
    "",
  ];
  if (chat.simUrl)
    lines.push(
      "  ! No model API key is set: answers are SIMULATED (extracted from the docs by llm-sim).",
      "    Set OPENROUTER_API_KEY (or OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, XAI_API_KEY,",
      "    DEEPSEEK_API_KEY, or OPENAI_BASE_URL for Ollama) and restart for real answers.",
      "",
    );
  lines.push("  Press Ctrl-C to stop.", "");
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const config = loadStartConfig(processEnv());
  const ingot = await bootIngot(config);
  let chat: ChatServer;
  try {
    chat = await startChatServer(
      { ...config.chat, ingot: { ...config.chat.ingot, url: ingot.url } },
      {
        logger: createLogger({
          level: config.chat.logLevel === "info" ? "warn" : config.chat.logLevel,
        }),
      },
    );
  } catch (error) {
    await ingot.child?.stop();
    throw error;
  }
  out(banner(config, chat, ingot.url));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    out("\nStopping…\n");
    await chat.close().catch((e: unknown) => process.stderr.write(`chat: ${describeError(e)}\n`));
    await ingot.child?.stop();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  void ingot.child?.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`Ingot exited unexpectedly (${String(code)}); stopping.\n`);
    void stop(1);
  });
}

main().catch((error: unknown) => {
  const prefix = error instanceof ConfigError ? "configuration error: " : "could not start: ";
  process.stderr.write(`${prefix}${describeError(error)}\n`);
  process.exit(1);
});
