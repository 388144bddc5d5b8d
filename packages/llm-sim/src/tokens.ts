/**
 * Token counts approximate real tokenisers as ceil(UTF-8 bytes / 4): close enough for cost
 * and budget tests, and deterministic across platforms.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

/** Sum over several texts, each counted on its own like per-message token overhead. */
export function countAll(texts: readonly string[]): number {
  return Math.max(
    1,
    texts.reduce((sum, text) => sum + countTokens(text), 0),
  );
}

/**
 * Splits reply text into stream deltas: one per word (trailing space kept), and short
 * replies into pieces of at most 4 characters, so a consumer always sees several deltas.
 */
export function splitText(text: string): string[] {
  if (text.length === 0) return [""];
  const words = text.match(/\s*\S+\s*/gu) ?? [text];
  if (words.length >= 3) return words;
  const pieces: string[] = [];
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += 4) pieces.push(chars.slice(i, i + 4).join(""));
  return pieces;
}

/** Cuts a JSON arguments string into about three fragments, as providers stream them. */
export function splitJson(text: string): string[] {
  if (text.length <= 3) return [text];
  const size = Math.ceil(text.length / 3);
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

/** Keeps the first `maxTokens` tokens' worth of text (4 bytes each, cut at a character). */
export function clipToTokens(text: string, maxTokens: number): string {
  let bytes = 0;
  let out = "";
  for (const ch of text) {
    bytes += Buffer.byteLength(ch, "utf8");
    if (bytes > maxTokens * 4) break;
    out += ch;
  }
  return out;
}
