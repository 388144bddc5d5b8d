import type { Inngest } from "inngest";
import type { ChatConfig, ProviderConfig } from "../config.js";
import type { IngotApi } from "../ingot/api.js";
import type { Logger } from "../logger.js";
import type { Retriever } from "../rag/retriever.js";
import type { ChatStore } from "../store/types.js";
import type { StreamHub } from "./hub.js";

/** Everything the chat's services share, built once by `server.ts`. */
export interface ChatDeps {
  config: ChatConfig;
  /** The configured provider, with the simulator's URL filled in when simulated. */
  provider: ProviderConfig;
  store: ChatStore;
  retriever: Retriever;
  hub: StreamHub;
  ingot: IngotApi;
  inngest: Inngest;
  logger: Logger;
  now: () => number;
}

export const CHAT_REQUESTED = "app/chat.requested";
export const DOCUMENT_INDEXED = "app/document.indexed";

export function isSimulated(deps: Pick<ChatDeps, "provider">): boolean {
  return deps.provider.id === "sim";
}

/** The run's page in the Ingot dashboard. */
export function runUrl(config: ChatConfig, runId: string | null): string | null {
  return runId === null ? null : `${config.ingot.publicUrl}/runs/${encodeURIComponent(runId)}`;
}

/** Failure text shown to users: the cause chain, never a stack. */
export function modelFailure(message: string): string {
  return `The model call failed: ${message}`;
}
