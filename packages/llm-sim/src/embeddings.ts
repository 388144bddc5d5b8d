/**
 * Deterministic embeddings by feature hashing: each lower-cased word token is hashed into one
 * of `dimensions` buckets with a hashed sign, and the vector is L2-normalised. Texts sharing
 * words therefore have a higher cosine similarity than unrelated texts, which is all a RAG
 * test needs, with no model.
 */

export const DEFAULT_DIMENSIONS = 256;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

// FNV-1a, 32 bit: tiny, fast and stable across Node versions.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function embed(text: string, dimensions: number = DEFAULT_DIMENSIONS): number[] {
  return embedTokens(tokenize(text), dimensions);
}

/** Token-id inputs (OpenAI accepts `int[]`) are hashed as the words `t<id>`. */
export function embedTokenIds(ids: readonly number[], dimensions: number): number[] {
  return embedTokens(
    ids.map((id) => `t${id}`),
    dimensions,
  );
}

function embedTokens(tokens: readonly string[], dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const token of tokens) {
    const hash = fnv1a(token);
    const bucket = hash % dimensions;
    // A second, independent bit for the sign keeps collisions from adding up to a bias.
    const sign = (fnv1a(`${token}#`) & 1) === 0 ? 1 : -1;
    vector[bucket] = (vector[bucket] ?? 0) + sign;
  }
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  // An empty text gets a fixed unit vector, so cosine similarity never divides by zero.
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((x) => x / norm);
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32, base64-encoded. */
export function toBase64(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => buffer.writeFloatLE(x, i * 4));
  return buffer.toString("base64");
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
