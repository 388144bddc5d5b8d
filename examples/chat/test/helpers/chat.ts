import type { LlmSim } from "@ingot/llm-sim";
import { loadChatConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { type ChatServer, startChatServer } from "../../src/server.js";
import { tempDir } from "./ingot.js";

export interface ChatHarness {
  server: ChatServer;
  url: string;
  dataDir: string;
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; headers: Headers }>;
  get(path: string): Promise<{ status: number; json: any }>;
  /** `POST /api/v1/chat`, expecting 202. */
  ask(body: Record<string, unknown>): Promise<{ request_id: string; conversation_id: string }>;
  /** Long-polls the result until it is no longer pending. */
  settle(requestId: string, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

/** The chat backend in this process, configured from a test environment (never process.env). */
export async function startChat(input: {
  ingotUrl: string;
  dataDir?: string;
  env?: Record<string, string>;
  sim?: LlmSim;
}): Promise<ChatHarness> {
  const dataDir = input.dataDir ?? tempDir("chat-data-");
  const config = loadChatConfig({
    PORT: "0",
    INGOT_URL: input.ingotUrl,
    CHAT_DATA_DIR: dataDir,
    CHAT_SIM_CHUNK_DELAY_MS: "40",
    CHAT_SIM_LATENCY_MS: "0",
    CHAT_RATE_LIMIT: "10000",
    CHAT_RETRIES: "2",
    ...input.env,
  });
  const server = await startChatServer(config, {
    logger: createLogger({ level: "error" }),
    ...(input.sim ? { sim: input.sim } : {}),
  });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json: json as any, headers: response.headers };
  };
  const harness: ChatHarness = {
    server,
    url: server.url,
    dataDir,
    post: (path, body, headers) => call("POST", path, body, headers),
    get: (path) => call("GET", path),
    async ask(body) {
      const { status, json } = await call("POST", "/api/v1/chat", body);
      if (status !== 202)
        throw new Error(`POST /api/v1/chat answered ${status}: ${JSON.stringify(json)}`);
      return json;
    },
    async settle(requestId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, json } = await call("GET", `/api/v1/chat/result/${requestId}?wait=10`);
        if (status !== 200) throw new Error(`result answered ${status}: ${JSON.stringify(json)}`);
        if (json.status !== "pending") return json;
        if (Date.now() > deadline)
          throw new Error(`request ${requestId} still pending after ${timeoutMs} ms`);
      }
    },
    close: () => server.close(),
  };
  return harness;
}
