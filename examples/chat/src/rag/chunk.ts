/**
 * Splits a document into passages for retrieval. Markdown is cut at headings first (a section is
 * the natural unit of meaning in docs), then paragraphs are packed up to `maxChars`; code blocks
 * and tables stay whole when they fit. Each chunk remembers its heading path, which is indexed
 * with the text and shown as the source's location.
 */
export interface ChunkDraft {
  position: number;
  heading: string;
  text: string;
}

export interface ChunkOptions {
  /** About 250 tokens: small enough that 4 passages fit any model's context with room to spare. */
  maxChars?: number;
}

interface Section {
  heading: string;
  blocks: string[];
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/u;
const FENCE = /^\s*(```|~~~)/u;

function sections(content: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: "", blocks: [] };
  let block: string[] = [];
  let inFence = false;
  const flush = () => {
    if (block.length > 0 && block.some((line) => line.trim() !== ""))
      current.blocks.push(block.join("\n").trim());
    block = [];
  };
  for (const line of content.replace(/\r\n?/gu, "\n").split("\n")) {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    if (heading?.[1] && heading[2]) {
      flush();
      if (current.blocks.length > 0) out.push(current);
      path.length = heading[1].length - 1;
      path[heading[1].length - 1] = heading[2].replace(/[`*_]/gu, "");
      current = { heading: path.filter(Boolean).join(" › "), blocks: [] };
      continue;
    }
    if (!inFence && line.trim() === "") flush();
    else block.push(line);
  }
  flush();
  if (current.blocks.length > 0) out.push(current);
  return out;
}

/** A block longer than the limit is cut at line, then sentence, then word boundaries. */
function split(block: string, maxChars: number): string[] {
  if (block.length <= maxChars) return [block];
  const pieces: string[] = [];
  let rest = block;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    const cut = Math.max(
      window.lastIndexOf("\n"),
      window.lastIndexOf(". ") + 1,
      Math.floor(maxChars / 2) > window.lastIndexOf(" ") ? -1 : window.lastIndexOf(" "),
    );
    const at = cut > maxChars / 4 ? cut : maxChars;
    pieces.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest !== "") pieces.push(rest);
  return pieces;
}

export function chunkText(content: string, options: ChunkOptions = {}): ChunkDraft[] {
  const maxChars = options.maxChars ?? 1000;
  const drafts: ChunkDraft[] = [];
  for (const section of sections(content)) {
    let packed = "";
    const emit = () => {
      if (packed.trim() !== "")
        drafts.push({ position: drafts.length, heading: section.heading, text: packed.trim() });
      packed = "";
    };
    for (const block of section.blocks.flatMap((b) => split(b, maxChars))) {
      if (packed !== "" && packed.length + block.length + 2 > maxChars) emit();
      packed = packed === "" ? block : `${packed}\n\n${block}`;
    }
    emit();
  }
  return drafts;
}
