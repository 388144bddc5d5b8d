import { definitionSubject } from "../rag/retriever.js";
import { tokenize } from "../rag/tokenize.js";
import type { RetrievedChunk } from "../rag/types.js";

/**
 * The offline simulator echoes the last user message. To make the demo useful without a key,
 * the chat asks it (with a `[[sim: text="…"]]` directive) to reply with an extractive answer:
 * the sentences of the retrieved passages that best match the question. It is labelled as
 * simulated in the text, in `GET /api/v1/info` and in the UI.
 */

/** Markdown reduced to prose: no code blocks, tables or headings; list items become lines. */
function prose(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/gu, "\n")
    .replace(/^[ \t]*\|.*$/gmu, "")
    .replace(/^[ \t]*#{1,6}\s.*$/gmu, "")
    .replace(/^[ \t]*(?:[-*+]|\d+[.)])\s+/gmu, "")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/gu, "$1")
    .replace(/(^|[^\w])_([^_\n]+)_(?=[^\w]|$)/gu, "$1$2")
    .replace(/[`*]/gu, "");
}

function sentences(text: string): string[] {
  return (
    prose(text)
      .split(/\n\s*\n|(?<=[.!?])\s+(?=[A-Z(])|\n(?=[A-Z])/u)
      .map((s) => s.replace(/\s+/gu, " ").trim())
      // Whole sentences only: fragments cut at a chunk edge, or a lead-in to a code block (":").
      .filter((s) => s.length >= 30 && s.length <= 400 && /[.!?)"]$/u.test(s))
  );
}

interface Candidate {
  text: string;
  terms: Set<string>;
  source: number;
  order: number;
}

export function simulatedAnswer(query: string, chunks: readonly RetrievedChunk[]): string {
  // "What is X?": retrieval puts X's introduction first; its opening sentences are the answer.
  const intro = definitionSubject(query) === undefined ? [] : sentences(chunks[0]?.text ?? "");
  if (intro.length > 0) {
    const body = intro
      .slice(0, 3)
      .map((text) => `${text} [1]`)
      .join(" ");
    return `(Simulated answer, extracted from the documents; no model API key is set.) ${body}`;
  }
  const asked = new Set(tokenize(query));
  const candidates: Candidate[] = [];
  chunks.forEach((chunk, index) => {
    for (const text of sentences(chunk.text))
      candidates.push({
        text,
        terms: new Set(tokenize(text)),
        source: index + 1,
        order: candidates.length,
      });
  });
  // Rarer question words say more about what was asked (a local inverse document frequency).
  const weight = new Map<string, number>();
  for (const term of asked) {
    const df = candidates.filter((c) => c.terms.has(term)).length;
    weight.set(term, Math.log(1 + candidates.length / (1 + df)));
  }
  const scored = candidates
    .map((c) => {
      let score = 0;
      let matched = 0;
      for (const term of asked)
        if (c.terms.has(term)) {
          score += weight.get(term) ?? 0;
          matched++;
        }
      // Long sentences match more words by chance; earlier sources ranked higher.
      const length = 1 + Math.log(1 + c.terms.size / 12);
      return { ...c, matched, score: score / length - c.source * 0.05 };
    })
    .filter((c) => c.score > 0.1 && c.matched >= Math.min(2, asked.size))
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .sort((a, b) => a.order - b.order);
  if (scored.length === 0)
    return `(Simulated answer: no model API key is set, so this reply comes from the offline simulator.) I found nothing in the indexed documents about "${query.slice(0, 200)}". Set OPENROUTER_API_KEY or another provider key for real answers.`;
  const body = scored.map((s) => `${s.text} [${s.source}]`).join(" ");
  return `(Simulated answer, extracted from the documents; no model API key is set.) ${body}`;
}

/** Appends the directive unless the user already steers the simulator themselves. */
export function withSimulatedReply(userText: string, reply: string): string {
  if (userText.includes("[[sim:")) return userText;
  return `${userText}\n\n[[sim: text=${JSON.stringify(reply)}]]`;
}
