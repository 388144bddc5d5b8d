import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startLlmSim, type LlmSim } from "@ingot/llm-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { seedCorpus } from "../src/rag/corpus.js";
import { Retriever } from "../src/rag/retriever.js";
import { SqliteChatStore } from "../src/store/sqlite.js";
import { tempDir } from "./helpers/ingot.js";

const EVAL = resolve(import.meta.dirname, "../eval/retrieval.json");
const ROOT = resolve(import.meta.dirname, "../../..");
const MODEL = "text-embedding-3-small";
const K = 4;

const EvalSet = z.object({
  questions: z.array(z.object({ question: z.string(), expected: z.array(z.string()).min(1) })),
});

type Rankers = { lexical: boolean; semantic: boolean };
const RANKERS: Record<"bm25" | "vectors" | "fused", Rankers> = {
  bm25: { lexical: true, semantic: false },
  vectors: { lexical: false, semantic: true },
  fused: { lexical: true, semantic: true },
};

/**
 * Retrieval measured: the eval set (`eval/retrieval.json`, questions about the docs with the
 * files that answer them) over the real corpus. recall@4 = the share of questions with a passage
 * of an answering file among the 4 retrieved; for BM25, vectors (llm-sim's hashed
 * bag-of-words embeddings, as offline embeddings) and the two fused. Prints the table the chat's
 * README quotes; fails when retrieval gets clearly worse.
 */
describe("retrieval eval", () => {
  let sim: LlmSim;
  let store: SqliteChatStore;
  let retriever: Retriever;
  const questions = EvalSet.parse(JSON.parse(readFileSync(EVAL, "utf8"))).questions;

  const embed = async (texts: string[]): Promise<number[][]> => {
    const response = await fetch(`${sim.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-eval" },
      body: JSON.stringify({ model: MODEL, input: texts }),
    });
    const body = z
      .object({ data: z.array(z.object({ embedding: z.array(z.number()) })) })
      .parse(await response.json());
    return body.data.map((item) => item.embedding);
  };

  beforeAll(async () => {
    sim = await startLlmSim({ record: false });
    store = SqliteChatStore.open(tempDir("chat-eval-"));
    await seedCorpus({ store, root: ROOT, now: 1 });
    const chunks = await store.indexedChunks(undefined);
    for (let i = 0; i < chunks.length; i += 64) {
      const batch = chunks.slice(i, i + 64);
      const vectors = await embed(batch.map((chunk) => `${chunk.heading}\n${chunk.text}`));
      await store.setEmbeddings(
        MODEL,
        batch.map((chunk, j) => ({ chunkId: chunk.id, vector: vectors[j] ?? [] })),
      );
    }
    retriever = new Retriever({ store, embeddingModel: MODEL, topK: K });
  });

  afterAll(async () => {
    await store?.close();
    await sim?.close();
  });

  async function recall(rankers: Rankers): Promise<{ mean: number; misses: string[] }> {
    let total = 0;
    const misses: string[] = [];
    for (const { question, expected } of questions) {
      const [vector] = rankers.semantic ? await embed([question]) : [null];
      const hits = await retriever.search(question, vector ?? null, K, rankers);
      const found = hits.some((hit) => expected.includes(hit.source));
      if (found) total++;
      else misses.push(question);
    }
    return { mean: total / questions.length, misses };
  }

  it("reports recall@4 for BM25, vectors and fused retrieval", async () => {
    const results: Record<string, { mean: number; misses: string[] }> = {};
    for (const [name, rankers] of Object.entries(RANKERS)) results[name] = await recall(rankers);
    const table = Object.entries(results)
      .map(
        ([name, r]) =>
          `${name.padEnd(8)} recall@${K} ${r.mean.toFixed(2)}  missed: ${r.misses.join(" | ") || "none"}`,
      )
      .join("\n");
    process.stdout.write(`\nretrieval eval (${questions.length} questions)\n${table}\n`);
    expect(questions.length).toBeGreaterThanOrEqual(20);
    expect(results.bm25!.mean).toBeGreaterThanOrEqual(0.75);
    expect(results.fused!.mean).toBeGreaterThanOrEqual(0.75);
    expect(results.vectors!.mean).toBeGreaterThan(0.3);
  });

  it('answers "What is Ingot?" from the README\'s introduction first', async () => {
    for (const rankers of [RANKERS.bm25, RANKERS.fused]) {
      const [vector] = await embed(["What is Ingot?"]);
      const [first] = await retriever.search("What is Ingot?", vector ?? null, K, rankers);
      expect(first?.source).toBe("README.md");
      expect(first?.text).toContain("Durable execution for AI workloads");
    }
  });
});
