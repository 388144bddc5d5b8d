import { describeError } from "../errors.js";
import type { ChatDeps } from "../chat/deps.js";
import { embeddingRequest, parseEmbeddings } from "../providers/embeddings.js";

/** The slice of the SDK's step tools this file uses (the SDK's own type is generic-heavy). */
export interface FetchStep {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
}

/**
 * Embeds a text through Ingot's gateway with `step.fetch`: the call is made by the server
 * (retried on network errors, recorded as an AI call of kind `fetch`, the key split off before
 * the op is stored) and its response memoized like any step. A failed query embedding degrades
 * retrieval to BM25 instead of failing the answer.
 */
export async function embedQuery(
  step: FetchStep,
  deps: ChatDeps,
  text: string,
): Promise<number[] | null> {
  try {
    const [vector] = await embedThroughIngot(step, deps, [text], "query");
    return vector ?? null;
  } catch (error) {
    deps.logger.warn("query embedding failed; using lexical retrieval", {
      error: describeError(error),
    });
    return null;
  }
}

export async function embedThroughIngot(
  step: FetchStep,
  deps: ChatDeps,
  texts: string[],
  task: "query" | "document",
): Promise<number[][]> {
  const request = embeddingRequest(deps.provider, {
    texts,
    task,
    dimensions: deps.config.embeddings.dimensions,
  });
  const response = await step.fetch(request.url, {
    method: "POST",
    headers: request.headers,
    body: JSON.stringify(request.body),
  });
  const body = await response.text();
  if (!response.ok)
    throw new Error(
      `${deps.provider.id} embeddings answered ${response.status}: ${body.slice(0, 200)}`,
    );
  return parseEmbeddings(deps.provider, JSON.parse(body) as unknown, texts.length);
}
