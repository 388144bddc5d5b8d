import { describeError } from "../errors.js";
import { embedDirect } from "../providers/embeddings.js";
import { ProviderCallError, streamChat } from "../providers/direct-call.js";
import { toSources } from "../rag/types.js";
import type { ChatRequest } from "../store/types.js";
import { cleanText } from "../lib/clean.js";
import { type ChatDeps, isSimulated, modelFailure } from "./deps.js";
import { buildPrompt, historyTurns } from "./prompt.js";

/**
 * The direct path of the toggle: the same pipeline as the durable function (history →
 * retrieval → model → save), run in this process with no durability. Tokens go to the in-memory
 * hub; a crash or restart loses the request (it is marked failed at the next boot).
 */
export class DirectRunner {
  private readonly inFlight = new Map<string, AbortController>();

  constructor(private readonly deps: ChatDeps) {}

  start(request: ChatRequest): void {
    const controller = new AbortController();
    this.inFlight.set(request.id, controller);
    this.deps.hub.open(request.id);
    void this.run(request, controller.signal).finally(() => {
      this.inFlight.delete(request.id);
      this.deps.hub.end(request.id);
    });
  }

  /** Aborts what is in flight (shutdown); those requests are failed as interrupted. */
  async stop(): Promise<void> {
    for (const controller of this.inFlight.values()) controller.abort();
    while (this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private async run(request: ChatRequest, signal: AbortSignal): Promise<void> {
    const { deps } = this;
    const log = deps.logger.child({ requestId: request.id, mode: "direct" });
    try {
      const turns = await deps.store.turns(
        request.conversation_id,
        Math.ceil(deps.config.historyMessages / 2) + 1,
      );
      const vector = await this.queryVector(request.query, signal);
      const context = await deps.retriever.search(request.query, vector);
      const prompt = buildPrompt({
        query: request.query,
        history: historyTurns(turns, request.id),
        context,
        temperature: request.temperature,
        maxTokens: request.max_tokens,
        simulated: isSimulated(deps),
      });
      let first = true;
      const answer = await streamChat({
        provider: deps.provider,
        prompt,
        signal,
        handlers: {
          onDelta: (text) => {
            if (first) {
              first = false;
              void deps.store
                .setFirstToken(request.id, deps.now() - request.created_at)
                .catch(() => undefined);
            }
            deps.hub.delta(request.id, text);
          },
          onRetry: (reason) => deps.hub.reset(request.id, reason),
        },
      });
      await deps.store.completeRequest({
        id: request.id,
        content: request.clean ? cleanText(answer.text) : answer.text,
        sources: toSources(context),
        usage: answer.usage,
        model: answer.model,
        completedAt: deps.now(),
      });
    } catch (error) {
      const message = signal.aborted
        ? "The request was interrupted: the chat server shut down (direct requests are not durable)."
        : error instanceof ProviderCallError
          ? modelFailure(describeError(error))
          : `The request failed: ${describeError(error)}`;
      log.warn("direct request failed", { error: message });
      await deps.store
        .failRequest({ id: request.id, error: message, completedAt: deps.now() })
        .catch((e: unknown) =>
          log.error("could not record the failure", { error: describeError(e) }),
        );
    }
  }

  private async queryVector(query: string, signal: AbortSignal): Promise<number[] | null> {
    const { deps } = this;
    if (!deps.config.embeddings.enabled) return null;
    try {
      const [vector] = await embedDirect(deps.provider, {
        texts: [query],
        task: "query",
        dimensions: deps.config.embeddings.dimensions,
        signal,
      });
      return vector ?? null;
    } catch (error) {
      // Retrieval degrades to BM25 rather than failing the answer.
      deps.logger.warn("query embedding failed; using lexical retrieval", {
        error: describeError(error),
      });
      return null;
    }
  }
}
