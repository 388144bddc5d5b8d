import { cleanText } from "../lib/clean.js";

/** A passage of a document, as indexed. */
export interface Chunk {
  id: string;
  documentId: string;
  position: number;
  /** The document title and the heading path of the section, e.g. `API › Streaming`. */
  heading: string;
  text: string;
}

/** A chunk with what retrieval needs to rank and cite it. */
export interface IndexedChunk extends Chunk {
  title: string;
  source: string;
  /** Unit vector of the current embeddings model, when one was computed. */
  vector: Float32Array | null;
}

/** A passage chosen for a question, in the order of the prompt's `[n]` citations. */
export interface RetrievedChunk {
  chunkId: string;
  documentId: string;
  title: string;
  source: string;
  heading: string;
  text: string;
  score: number;
  /** Which rankers found it. */
  via: ("bm25" | "vector")[];
}

/** What the API returns with each answer. */
export interface Source {
  n: number;
  document_id: string;
  chunk_id: string;
  title: string;
  source: string;
  heading: string;
  snippet: string;
  score: number;
  via: ("bm25" | "vector")[];
}

export function toSources(chunks: readonly RetrievedChunk[]): Source[] {
  return chunks.map((chunk, index) => ({
    n: index + 1,
    document_id: chunk.documentId,
    chunk_id: chunk.chunkId,
    title: chunk.title,
    source: chunk.source,
    heading: chunk.heading,
    snippet: snippet(chunk.text),
    score: Math.round(chunk.score * 1000) / 1000,
    via: chunk.via,
  }));
}

/** The start of the passage as plain text (markup would show as noise in a source list). */
function snippet(text: string): string {
  const flat = cleanText(text).replace(/\s+/gu, " ").trim();
  return flat.length <= 280 ? flat : `${flat.slice(0, 277).replace(/\s\S*$/u, "")}…`;
}
