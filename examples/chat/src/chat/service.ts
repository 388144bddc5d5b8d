import { ChatError, describeError, ErrorCode } from "../errors.js";
import { newId } from "../ids.js";
import { ingestDocument } from "../rag/ingest.js";
import type { ChatMode, ChatRequest, DocumentSummary } from "../store/types.js";
import { CHAT_REQUESTED, type ChatDeps, DOCUMENT_INDEXED } from "./deps.js";
import { AGENT_REQUESTED } from "../durable/agent-channel.js";
import type { DirectRunner } from "./direct.js";
import { chatStream } from "./stream.js";

/** How long an agent request's first token is waited for (a model slower than this is rare). */
const FIRST_TOKEN_WATCH_MS = 5 * 60_000;

export interface ChatInput {
  query: string;
  temperature: number | undefined;
  max_tokens: number | undefined;
  clean: boolean;
  conversation_id: string | undefined;
  mode: ChatMode;
}

/** What `POST /api/v1/chat` and the document routes do, independent of HTTP. */
export class ChatService {
  constructor(
    private readonly deps: ChatDeps,
    private readonly direct: DirectRunner,
  ) {}

  async submit(input: ChatInput): Promise<ChatRequest> {
    const { store } = this.deps;
    const request = {
      id: newId(),
      conversation_id: input.conversation_id ?? newId(),
      mode: input.mode,
      query: input.query,
      temperature: input.temperature ?? null,
      max_tokens: input.max_tokens ?? null,
      clean: input.clean,
      created_at: this.deps.now(),
    };
    await store.createRequest(request, title(input.query));
    const stored = await store.getRequest(request.id);
    if (!stored) throw new ChatError(ErrorCode.internal, `request ${request.id} was not stored`);
    if (input.mode === "direct") {
      this.direct.start(stored);
      return stored;
    }
    const agent = input.mode === "agent";
    try {
      // The request id doubles as the event's idempotency id: a retried send runs once.
      const { ids } = await this.deps.inngest.send({
        id: request.id,
        name: agent ? AGENT_REQUESTED : CHAT_REQUESTED,
        data: {
          request_id: request.id,
          conversation_id: request.conversation_id,
          query: request.query,
          temperature: request.temperature,
          max_tokens: request.max_tokens,
          clean: request.clean,
        },
      });
      const eventId = ids[0];
      if (eventId !== undefined) await store.setRequestEvent(request.id, eventId);
      if (agent) this.watchFirstToken(stored);
    } catch (error) {
      const message = `Could not hand the request to Ingot at ${this.deps.config.ingot.url}: ${describeError(error)}`;
      await store.failRequest({ id: request.id, error: message, completedAt: this.deps.now() });
      throw new ChatError(ErrorCode.unavailable, message, { cause: error });
    }
    return stored;
  }

  /**
   * The page reads an agent's tokens from Ingot directly; the chat still records the time to
   * the first one (for the monitoring panel) by reading the run's stream itself, as the durable
   * path's relay does.
   */
  private watchFirstToken(request: ChatRequest): void {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FIRST_TOKEN_WATCH_MS);
    void (async () => {
      for await (const event of chatStream(this.deps, request, {
        lastEventId: undefined,
        signal: controller.signal,
      })) {
        if (event.event === "delta") break;
      }
    })()
      .catch((error: unknown) =>
        this.deps.logger.warn("first-token watch failed", { error: describeError(error) }),
      )
      .finally(() => {
        clearTimeout(timer);
        controller.abort();
      });
  }

  async request(id: string): Promise<ChatRequest> {
    const request = await this.deps.store.getRequest(id);
    if (!request) throw new ChatError(ErrorCode.notFound, `no chat request with id "${id}"`);
    return request;
  }

  /** Indexes a document now (lexical retrieval sees it at once), then embeds it durably. */
  async addDocument(input: {
    title: string;
    source: string;
    content: string;
  }): Promise<DocumentSummary> {
    const document = await ingestDocument({
      store: this.deps.store,
      title: input.title,
      source: input.source,
      kind: "upload",
      content: input.content,
      now: this.deps.now(),
    });
    await this.deps.retriever.refresh();
    if (this.deps.config.embeddings.enabled) await this.embedLater([document.id]);
    return document;
  }

  /** Sends `app/document.indexed` for each document; failures only cost the vectors. */
  async embedLater(documentIds: readonly string[]): Promise<void> {
    if (documentIds.length === 0) return;
    try {
      await this.deps.inngest.send(
        documentIds.map((id) => ({ name: DOCUMENT_INDEXED, data: { document_id: id } })),
      );
    } catch (error) {
      this.deps.logger.warn("could not queue document embeddings", { error: describeError(error) });
    }
  }
}

/** A conversation is titled by its first question. */
function title(query: string): string {
  const flat = query
    .replace(/\[\[sim:[^\]]*\]\]/gu, "")
    .replace(/\s+/gu, " ")
    .trim();
  return flat.length <= 60 ? flat || "New conversation" : `${flat.slice(0, 57)}…`;
}
