import type { TokenUsage } from "../providers/types.js";
import type { IndexedChunk, Source } from "../rag/types.js";

/**
 * The chat app's persistence: one interface, a SQLite and a Postgres implementation, one shared
 * test suite (`test/store.test.ts`). A request is one turn of a conversation (the question, then
 * its answer or error), so a conversation's history is its requests in order.
 */
export const ChatMode = { durable: "durable", direct: "direct", agent: "agent" } as const;
export type ChatMode = (typeof ChatMode)[keyof typeof ChatMode];

export const RequestStatus = { pending: "pending", done: "done", error: "error" } as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

export interface Conversation {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
}

export interface ConversationSummary extends Conversation {
  turns: number;
}

export interface NewRequest {
  id: string;
  conversation_id: string;
  mode: ChatMode;
  query: string;
  temperature: number | null;
  max_tokens: number | null;
  clean: boolean;
  created_at: number;
}

export interface ChatRequest extends NewRequest {
  status: RequestStatus;
  content: string | null;
  error: string | null;
  sources: Source[];
  usage: TokenUsage | null;
  model: string | null;
  event_id: string | null;
  run_id: string | null;
  /** Milliseconds from `created_at` to the first token, when someone watched the stream. */
  first_token_ms: number | null;
  completed_at: number | null;
}

export interface Completion {
  id: string;
  content: string;
  sources: Source[];
  usage: TokenUsage | null;
  model: string | null;
  completedAt: number;
}

export interface ModeStats {
  mode: ChatMode;
  total: number;
  done: number;
  errors: number;
  pending: number;
  avg_total_ms: number | null;
  avg_first_token_ms: number | null;
}

export interface NewDocument {
  id: string;
  title: string;
  /** Unique: a document put again under the same source replaces the old one. */
  source: string;
  kind: "corpus" | "upload";
  content_hash: string;
  chars: number;
  created_at: number;
}

export interface DocumentSummary extends NewDocument {
  chunks: number;
  embedded_chunks: number;
}

export interface NewChunk {
  id: string;
  position: number;
  heading: string;
  text: string;
}

export interface ChatStore {
  readonly dialect: "sqlite" | "postgres";
  /** Inserts the request, creating its conversation (with this title) on first use. */
  createRequest(request: NewRequest, conversationTitle: string): Promise<void>;
  getRequest(id: string): Promise<ChatRequest | undefined>;
  setRequestEvent(id: string, eventId: string): Promise<void>;
  setRequestRun(id: string, runId: string): Promise<void>;
  /** Keeps the first value: a reconnecting stream must not overwrite it. */
  setFirstToken(id: string, ms: number): Promise<void>;
  /** Pending → done; false when the request was already settled (a retried step). */
  completeRequest(completion: Completion): Promise<boolean>;
  /** Pending → error; false when already settled. */
  failRequest(input: { id: string; error: string; completedAt: number }): Promise<boolean>;
  /** Direct requests live in memory only: at boot, the ones a restart interrupted fail. */
  failPending(input: { mode: ChatMode; error: string; completedAt: number }): Promise<number>;
  /** The conversation's requests, oldest first (the last `limit` when given). */
  turns(conversationId: string, limit?: number): Promise<ChatRequest[]>;
  getConversation(id: string): Promise<Conversation | undefined>;
  listConversations(limit: number): Promise<ConversationSummary[]>;
  deleteConversation(id: string): Promise<boolean>;
  stats(): Promise<ModeStats[]>;

  putDocument(document: NewDocument, chunks: readonly NewChunk[]): Promise<void>;
  getDocumentBySource(source: string): Promise<DocumentSummary | undefined>;
  listDocuments(): Promise<DocumentSummary[]>;
  deleteDocument(id: string): Promise<boolean>;
  /** Every chunk with its document's title and source; vectors only of `embeddingModel`. */
  indexedChunks(embeddingModel: string | undefined): Promise<IndexedChunk[]>;
  chunksToEmbed(documentId: string, model: string): Promise<{ id: string; text: string }[]>;
  setEmbeddings(
    model: string,
    vectors: readonly { chunkId: string; vector: number[] }[],
  ): Promise<void>;
  /** Changes whenever documents, chunks or vectors change: retrievers reload when it moves. */
  indexVersion(): Promise<number>;
  close(): Promise<void>;
}
