import { NonRetriableError } from "inngest";
import { z } from "zod";
import { cleanText } from "../lib/clean.js";
import { CHAT_REQUESTED, type ChatDeps, isSimulated, modelFailure } from "../chat/deps.js";
import { buildPrompt, historyTurns } from "../chat/prompt.js";
import { describeError } from "../errors.js";
import { modelAdapter } from "../providers/adapter.js";
import { chatBody } from "../providers/bodies.js";
import { providerErrorText } from "../providers/error-text.js";
import { parseAnswer } from "../providers/output.js";
import { toSources } from "../rag/types.js";
import { embedQuery } from "./embed-query.js";
import { retryCount } from "./client.js";

/**
 * The event's data. Only `request_id` and `query` are required, so other producers (the Ingot
 * dashboard, a script, the Python service this replaces) can send the event too; the function
 * then creates the request record itself.
 */
export const ChatRequested = z.object({
  request_id: z.string().min(1),
  conversation_id: z.string().min(1).optional(),
  query: z.string().trim().min(1),
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  clean: z.boolean().optional(),
});
export type ChatRequested = z.infer<typeof ChatRequested>;

/**
 * `app/chat.requested` → load history → (embed the query) → retrieve context → `step.ai.infer`
 * → save. Each arrow is a step, memoized by Ingot: a crash or a redeploy re-runs only the step
 * in flight. The model call is executed by Ingot's gateway (this app holds no request open while
 * the model thinks) and streamed (`stream: true`), so `GET /api/v1/chat/stream/:id` can relay
 * tokens from `GET /v1/runs/:id/stream`.
 */
export function chatFunction(deps: ChatDeps) {
  const { inngest, store, config } = deps;
  return inngest.createFunction(
    {
      id: "chat-answer",
      name: "Answer a chat message",
      retries: retryCount(config.retries),
      triggers: [{ event: CHAT_REQUESTED }],
      // Anything that fails for good outside the model call (the store is down through every
      // retry, say) still leaves the request with a clear error instead of "pending" forever.
      onFailure: async ({ event, error, step }) => {
        const original = ChatRequested.safeParse(event.data.event.data);
        if (!original.success) return;
        await step.run("record-failure", () =>
          store.failRequest({
            id: original.data.request_id,
            error: `The chat function failed: ${error.message}`,
            completedAt: deps.now(),
          }),
        );
      },
    },
    async ({ event, step, runId }) => {
      const parsed = ChatRequested.safeParse(event.data);
      if (!parsed.success)
        throw new NonRetriableError(
          `${CHAT_REQUESTED}: ${parsed.error.issues[0]?.message ?? "invalid data"}`,
        );
      const input = parsed.data;

      const history = await step.run("load-history", async () => {
        const request = await ensureRequest(deps, input);
        await store.setRequestRun(request.id, runId);
        const turns = await store.turns(
          request.conversation_id,
          Math.ceil(config.historyMessages / 2) + 1,
        );
        return historyTurns(turns, request.id);
      });

      const vector = config.embeddings.enabled ? await embedQuery(step, deps, input.query) : null;
      const context = await step.run("retrieve-context", () =>
        deps.retriever.search(input.query, vector),
      );

      const prompt = buildPrompt({
        query: input.query,
        history,
        context,
        temperature: input.temperature ?? null,
        maxTokens: input.max_tokens ?? null,
        simulated: isSimulated(deps),
      });
      let answer;
      try {
        const output: unknown = await step.ai.infer("generate-answer", {
          model: modelAdapter(deps.provider, prompt.maxTokens),
          body: { ...chatBody(deps.provider, prompt), stream: true },
        });
        answer = parseAnswer(deps.provider.format, output);
      } catch (error) {
        // Ingot already retried what was worth retrying (429, 5xx, timeouts) up to `retries`;
        // a 401 or a 400 fails at once. Either way this is final: record a readable error.
        const message = modelFailure(gatewayFailure(deps.provider.id, error));
        await step.run("save-error", () =>
          store.failRequest({ id: input.request_id, error: message, completedAt: deps.now() }),
        );
        return { status: "error" as const, error: message };
      }

      const content = input.clean ? cleanText(answer.text) : answer.text;
      const sources = toSources(context);
      await step.run("save-answer", () =>
        store.completeRequest({
          id: input.request_id,
          content,
          sources,
          usage: answer.usage,
          model: answer.model,
          completedAt: deps.now(),
        }),
      );
      return { status: "done" as const, request_id: input.request_id, sources: sources.length };
    },
  );
}

/**
 * Ingot's `AIGatewayError` says what went wrong ("unsuccessful status code: 401") and carries the
 * provider's raw body as `stack`; the provider's own words make the message clear.
 */
function gatewayFailure(provider: string, error: unknown): string {
  const base = describeError(error)
    .replace(/^Error making AI request: /u, "")
    .replace(/^unsuccessful status code: (\d+)$/u, `${provider} answered $1`);
  if (
    error instanceof Error &&
    error.name === "AIGatewayError" &&
    typeof error.stack === "string"
  ) {
    const detail = providerErrorText(error.stack);
    if (detail !== undefined && !base.includes(detail)) return `${base}: ${detail}`;
  }
  return base;
}

/** The request record, created here when the event came from elsewhere than `POST /chat`. */
async function ensureRequest(deps: ChatDeps, input: ChatRequested) {
  const existing = await deps.store.getRequest(input.request_id);
  if (existing) return existing;
  const request = {
    id: input.request_id,
    conversation_id: input.conversation_id ?? input.request_id,
    mode: "durable" as const,
    query: input.query,
    temperature: input.temperature ?? null,
    max_tokens: input.max_tokens ?? null,
    clean: input.clean ?? false,
    created_at: deps.now(),
  };
  await deps.store.createRequest(request, input.query.slice(0, 80));
  const created = await deps.store.getRequest(input.request_id);
  if (!created) throw new Error(`request ${input.request_id} was not stored`);
  return created;
}
