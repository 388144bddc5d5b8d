import { z } from "zod";
import type { ProviderConfig } from "../config.js";
import type { ProviderRequest } from "./types.js";

/**
 * Embeddings requests and responses (ai-gateway spec §5.10). The durable path sends the request
 * through Ingot with `step.fetch` (retried and recorded by the gateway, the key split off before
 * storage); the direct path and document indexing outside a run use plain `fetch`.
 */
export type EmbeddingTask = "query" | "document";

/** How many texts go in one request (OpenAI allows 2,048; Gemini's batch limit is 100). */
export const EMBEDDING_BATCH = 32;

export function embeddingRequest(
  provider: ProviderConfig,
  input: { texts: string[]; task: EmbeddingTask; dimensions: number },
): ProviderRequest {
  const model = provider.embeddingModel;
  if (model === undefined) throw new Error(`${provider.id} has no embeddings model configured`);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...provider.headers,
  };
  if (provider.format === "gemini") {
    headers["x-goog-api-key"] = provider.apiKey;
    return {
      url: `${provider.baseUrl}models/${encodeURIComponent(model)}:batchEmbedContents`,
      headers,
      body: {
        requests: input.texts.map((text) => ({
          model: `models/${model}`,
          content: { parts: [{ text }] },
          taskType: input.task === "query" ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT",
          outputDimensionality: input.dimensions,
        })),
      },
    };
  }
  if (provider.apiKey !== "") headers.authorization = `Bearer ${provider.apiKey}`;
  // `dimensions` shortens text-embedding-3 vectors; other OpenAI-style servers may reject it.
  const sized = ["openai", "openrouter", "sim"].includes(provider.id);
  return {
    url: `${provider.baseUrl}embeddings`,
    headers,
    body: {
      model,
      input: input.texts,
      encoding_format: "float",
      ...(sized ? { dimensions: input.dimensions } : {}),
    },
  };
}

const OpenAiEmbeddings = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});
const GeminiEmbeddings = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
});

/** The vectors in input order, L2-normalised (safe whatever the provider does). */
export function parseEmbeddings(
  provider: ProviderConfig,
  json: unknown,
  count: number,
): number[][] {
  let vectors: number[][];
  if (provider.format === "gemini") {
    vectors = GeminiEmbeddings.parse(json).embeddings.map((e) => e.values);
  } else {
    const rows = OpenAiEmbeddings.parse(json).data;
    vectors = [...rows].sort((a, b) => a.index - b.index).map((row) => row.embedding);
  }
  if (vectors.length !== count)
    throw new Error(`expected ${count} embeddings from ${provider.id}, got ${vectors.length}`);
  return vectors.map(normalise);
}

export function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** Embeds texts with a plain HTTP call (outside a durable run). */
export async function embedDirect(
  provider: ProviderConfig,
  input: { texts: string[]; task: EmbeddingTask; dimensions: number; signal?: AbortSignal },
): Promise<number[][]> {
  const request = embeddingRequest(provider, input);
  const response = await fetch(request.url, {
    method: "POST",
    headers: request.headers,
    body: JSON.stringify(request.body),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(
      `embeddings request to ${provider.id} failed with ${response.status}: ${text.slice(0, 300)}`,
    );
  return parseEmbeddings(provider, JSON.parse(text) as unknown, input.texts.length);
}
