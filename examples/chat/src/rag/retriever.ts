import type { ChatStore } from "../store/types.js";
import { Bm25Index } from "./bm25.js";
import type { IndexedChunk, RetrievedChunk } from "./types.js";

/**
 * Hybrid retrieval: BM25 always (works offline, strong on identifiers such as `step.ai.infer`),
 * plus cosine similarity over embeddings when the query has a vector; the two rankings are
 * merged with reciprocal rank fusion (k = 60, Cormack et al., 2009), which needs no score
 * calibration between rankers. At most two passages per document keep the sources varied.
 */
export interface RetrieverOptions {
  store: ChatStore;
  embeddingModel: string | undefined;
  topK: number;
}

const CANDIDATES = 20;
const RRF_K = 60;
const PER_DOCUMENT = 2;
/** Below this cosine a passage is noise, not a neighbour (unit vectors, any model). */
const MIN_COSINE = 0.2;

export class Retriever {
  private version = -1;
  private chunks = new Map<string, IndexedChunk>();
  private bm25 = new Bm25Index();
  private loading: Promise<void> | undefined;

  constructor(private readonly options: RetrieverOptions) {}

  /** Reloads the in-memory index when documents changed, here or in another instance. */
  async refresh(): Promise<void> {
    const version = await this.options.store.indexVersion();
    if (version === this.version) return;
    this.loading ??= this.load(version).finally(() => (this.loading = undefined));
    await this.loading;
  }

  private async load(version: number): Promise<void> {
    const rows = await this.options.store.indexedChunks(this.options.embeddingModel);
    const bm25 = new Bm25Index();
    const chunks = new Map<string, IndexedChunk>();
    for (const chunk of rows) {
      chunks.set(chunk.id, chunk);
      // Titles and headings say what a passage is about: index them twice as a boost.
      const label = `${chunk.title} ${chunk.heading}`;
      bm25.add(chunk.id, `${label} ${label} ${chunk.text}`);
    }
    this.chunks = chunks;
    this.bm25 = bm25;
    this.version = version;
  }

  get size(): number {
    return this.chunks.size;
  }

  /**
   * The passages for a question. `rankers` switches BM25 or vectors off, to measure each alone
   * (the retrieval eval); by default both run when there is a vector.
   */
  async search(
    query: string,
    vector: readonly number[] | null,
    limit = this.options.topK,
    rankers: { lexical: boolean; semantic: boolean } = { lexical: true, semantic: true },
  ): Promise<RetrievedChunk[]> {
    await this.refresh();
    const intros = rankers.lexical ? this.introductions(query) : new Set<string>();
    const found = rankers.lexical ? this.bm25.search(query, CANDIDATES) : [];
    const top = found[0]?.score ?? 0;
    const lexical = [
      ...[...intros].map((id) => ({ id, score: found.find((hit) => hit.id === id)?.score ?? top })),
      ...found.filter((hit) => !intros.has(hit.id)),
    ];
    const semantic = vector && rankers.semantic ? this.nearest(vector) : [];
    const fused = new Map<string, { score: number; via: Set<"bm25" | "vector"> }>();
    const add = (ids: readonly string[], via: "bm25" | "vector") =>
      ids.forEach((id, rank) => {
        const entry = fused.get(id) ?? { score: 0, via: new Set() };
        entry.score += 1 / (RRF_K + rank + 1);
        entry.via.add(via);
        fused.set(id, entry);
      });
    add(
      lexical.map((hit) => hit.id),
      "bm25",
    );
    add(
      semantic.map((hit) => hit.id),
      "vector",
    );
    // Lexical-only retrieval reports BM25 scores, which mean more to a reader than RRF's.
    const bm25Score = new Map(lexical.map((hit) => [hit.id, hit.score]));
    const sorted = [...fused.entries()].sort((a, b) => b[1].score - a[1].score);
    const ranked = [
      ...sorted.filter(([id]) => intros.has(id)),
      ...sorted.filter(([id]) => !intros.has(id)),
    ];
    const perDocument = new Map<string, number>();
    const out: RetrievedChunk[] = [];
    for (const [id, entry] of ranked) {
      const chunk = this.chunks.get(id);
      if (!chunk) continue;
      const seen = perDocument.get(chunk.documentId) ?? 0;
      if (seen >= PER_DOCUMENT) continue;
      perDocument.set(chunk.documentId, seen + 1);
      out.push({
        chunkId: chunk.id,
        documentId: chunk.documentId,
        title: chunk.title,
        source: chunk.source,
        heading: chunk.heading,
        text: chunk.text,
        score: vector ? entry.score : (bm25Score.get(id) ?? entry.score),
        via: [...entry.via].sort(),
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * "What is X?" is answered by X's own introduction: the first passage of the document titled
   * X (the README for "What is Ingot?"). Every passage mentions the project, so the rankers
   * alone put whichever says "Ingot" most often first; for a definition question the
   * introductions of documents titled exactly X go first (part of the lexical ranker: a rule
   * over titles, not over vectors).
   */
  private introductions(query: string): Set<string> {
    const subject = definitionSubject(query);
    if (subject === undefined) return new Set();
    return new Set(
      [...this.chunks.values()]
        .filter((chunk) => chunk.position === 0 && chunk.title.trim().toLowerCase() === subject)
        .map((chunk) => chunk.id),
    );
  }

  private nearest(vector: readonly number[]): { id: string; score: number }[] {
    const hits: { id: string; score: number }[] = [];
    for (const chunk of this.chunks.values()) {
      if (!chunk.vector || chunk.vector.length !== vector.length) continue;
      let dot = 0;
      for (let i = 0; i < vector.length; i++) dot += (vector[i] ?? 0) * (chunk.vector[i] ?? 0);
      if (dot >= MIN_COSINE) hits.push({ id: chunk.id, score: dot });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, CANDIDATES);
  }
}

/** `X` of "What is X?", "What's X", "What are X?", "Tell me about X", lower-cased. */
export function definitionSubject(query: string): string | undefined {
  const match =
    /^\s*(?:what(?:'s| is| are)|tell me about|who is|describe)\s+(?:an?\s+|the\s+)?(.+?)\s*[?.!]*\s*$/iu.exec(
      query,
    );
  const subject = match?.[1]?.trim().toLowerCase();
  return subject && subject.split(/\s+/u).length <= 4 ? subject : undefined;
}
