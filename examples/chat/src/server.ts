import { serve, type ServerType } from "@hono/node-server";
import { type LlmSim, startLlmSim } from "@ingot/llm-sim";
import type { Hono } from "hono";
import { DirectRunner } from "./chat/direct.js";
import type { ChatDeps } from "./chat/deps.js";
import { StreamHub } from "./chat/hub.js";
import { ChatService } from "./chat/service.js";
import type { ChatConfig, ProviderConfig } from "./config.js";
import { createInngest } from "./durable/client.js";
import { describeError } from "./errors.js";
import { createHttpApp } from "./http/app.js";
import { IngotApi } from "./ingot/api.js";
import { createLogger, type Logger } from "./logger.js";
import { seedCorpus } from "./rag/corpus.js";
import { Retriever } from "./rag/retriever.js";
import { openStore } from "./store/open.js";
import type { ChatStore } from "./store/types.js";

export interface ChatServer {
  url: string;
  port: number;
  /** URL of the in-process simulator when answers are simulated. */
  simUrl: string | undefined;
  deps: ChatDeps;
  service: ChatService;
  app: Hono;
  close(): Promise<void>;
}

export interface ChatServerOptions {
  logger?: Logger;
  now?: () => number;
  /** Wait this long for Ingot to accept the sync (it may still be starting). */
  syncTimeoutMs?: number;
  /** A simulator to use when simulated, instead of starting one (tests inspect its requests). */
  sim?: LlmSim;
}

/** The simulator replaces the provider when no key is set (ARCHITECTURE §3 "Root scripts"). */
async function resolveProvider(
  config: ChatConfig,
  given: LlmSim | undefined,
): Promise<{ provider: ProviderConfig; sim: LlmSim | undefined; owned: boolean }> {
  if (config.provider.id !== "sim")
    return { provider: config.provider, sim: undefined, owned: false };
  if (given)
    return {
      provider: { ...config.provider, baseUrl: `${given.url}/v1/` },
      sim: given,
      owned: false,
    };
  const sim = await startLlmSim({
    host: "127.0.0.1",
    latencyMs: config.sim.latencyMs,
    chunkDelayMs: config.sim.chunkDelayMs,
    record: false,
  });
  return { provider: { ...config.provider, baseUrl: `${sim.url}/v1/` }, sim, owned: true };
}

/**
 * Boots the chat backend: store, corpus, retriever, SDK client and functions, HTTP server; then
 * asks Ingot to sync the app. Everything it opened is closed by `close()`.
 */
export async function startChatServer(
  config: ChatConfig,
  options: ChatServerOptions = {},
): Promise<ChatServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const now = options.now ?? Date.now;
  const { provider, sim, owned } = await resolveProvider(config, options.sim);
  const closeSim = async () => {
    if (owned) await sim?.close();
  };
  let store: ChatStore | undefined;
  try {
    store = await openStore(config);
    const seeded = await prepareStore({ store, config, logger, now: now() });
    const retriever = new Retriever({
      store,
      embeddingModel: config.embeddings.enabled ? provider.embeddingModel : undefined,
      topK: config.topK,
    });
    await retriever.refresh();
    const deps: ChatDeps = {
      config,
      provider,
      store,
      retriever,
      hub: new StreamHub(),
      ingot: new IngotApi(config.ingot.url, config.ingot.signingKey),
      inngest: createInngest(config, logger),
      logger,
      now,
    };
    const direct = new DirectRunner(deps);
    const service = new ChatService(deps, direct);
    const app = createHttpApp(deps, service);
    const server = await listen(app, config);
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : config.port;
    const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}`;
    if (config.ingot.sync)
      await syncApp(deps, config.serveUrl ?? `${url}/api/inngest`, options.syncTimeoutMs ?? 15_000);
    if (config.embeddings.enabled) {
      const documents = await store.listDocuments();
      await service.embedLater(
        documents.filter((d) => d.embedded_chunks < d.chunks).map((d) => d.id),
      );
    }
    logger.info("chat server ready", {
      url,
      provider: provider.id,
      model: provider.model,
      corpus: seeded?.documents ?? 0,
      chunks: retriever.size,
    });
    const opened = store;
    return {
      url,
      port,
      simUrl: sim?.url,
      deps,
      service,
      app,
      async close() {
        await direct.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Open SSE streams would hold `close` forever.
          if ("closeAllConnections" in server) server.closeAllConnections();
        });
        deps.hub.close();
        await opened.close();
        await closeSim();
      },
    };
  } catch (error) {
    await store?.close().catch(() => undefined);
    await closeSim();
    throw error;
  }
}

/** Fails the direct requests a restart cut off, and (re)indexes the built-in corpus. */
async function prepareStore(input: {
  store: ChatStore;
  config: ChatConfig;
  logger: Logger;
  now: number;
}): Promise<{ documents: number } | undefined> {
  const { store, config, logger, now } = input;
  const interrupted = await store.failPending({
    mode: "direct",
    error:
      "The request was interrupted: the chat server restarted (direct requests are not durable).",
    completedAt: now,
  });
  if (interrupted > 0)
    logger.warn("direct requests interrupted by the restart", { count: interrupted });
  return config.corpus.enabled ? seedCorpus({ store, root: config.corpus.root, now }) : undefined;
}

function listen(app: Hono, config: ChatConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(server),
    );
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${config.port} is in use: set PORT to a free port`, { cause: error })
          : error,
      ),
    );
  });
}

/** `POST /v1/apps`, retried while Ingot starts; not fatal (Ingot's `-u` can sync later). */
async function syncApp(deps: ChatDeps, serveUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    try {
      await deps.ingot.syncApp(serveUrl);
      deps.logger.info("synced with Ingot", { ingot: deps.config.ingot.url, serveUrl });
      return;
    } catch (error) {
      if (Date.now() + wait > deadline) {
        deps.logger.warn(
          "could not sync with Ingot; durable requests wait until it syncs this app",
          {
            ingot: deps.config.ingot.url,
            error: describeError(error),
          },
        );
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
