import { tokenize } from "./tokenize.js";

/**
 * Okapi BM25 over an in-memory set of documents (here: chunks). k1 = 1.2 and b = 0.75 are the
 * usual defaults (Robertson & Zaragoza, 2009); the corpus is small (hundreds of chunks), so a
 * full scan of the postings of the query terms takes microseconds.
 */
export interface Bm25Hit {
  id: string;
  score: number;
}

export interface Bm25Options {
  k1?: number;
  b?: number;
}

interface Doc {
  id: string;
  length: number;
  terms: Map<string, number>;
}

export class Bm25Index {
  private readonly docs: Doc[] = [];
  private readonly postings = new Map<string, number[]>();
  private totalLength = 0;
  private readonly k1: number;
  private readonly b: number;

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
  }

  get size(): number {
    return this.docs.length;
  }

  add(id: string, text: string): void {
    const tokens = tokenize(text);
    const terms = new Map<string, number>();
    for (const token of tokens) terms.set(token, (terms.get(token) ?? 0) + 1);
    const index = this.docs.length;
    this.docs.push({ id, length: tokens.length, terms });
    this.totalLength += tokens.length;
    for (const term of terms.keys()) {
      const list = this.postings.get(term);
      if (list) list.push(index);
      else this.postings.set(term, [index]);
    }
  }

  search(query: string, limit: number): Bm25Hit[] {
    const n = this.docs.length;
    if (n === 0) return [];
    const avg = this.totalLength / n;
    const scores = new Map<number, number>();
    for (const term of new Set(tokenize(query))) {
      const list = this.postings.get(term);
      if (!list) continue;
      // The "+1" form of IDF never goes negative for terms in most documents.
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const index of list) {
        const doc = this.docs[index];
        if (!doc) continue;
        const tf = doc.terms.get(term) ?? 0;
        const norm = tf + this.k1 * (1 - this.b + (this.b * doc.length) / avg);
        scores.set(index, (scores.get(index) ?? 0) + (idf * tf * (this.k1 + 1)) / norm);
      }
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .flatMap(([index, score]) => {
        const doc = this.docs[index];
        return doc ? [{ id: doc.id, score }] : [];
      });
  }
}
