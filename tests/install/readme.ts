import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness.js";

/**
 * The first fenced block of `lang` under the heading `heading` of a Markdown file of the
 * repository (up to the next heading of the same level), exactly as printed.
 */
export function markdownBlock(file: string, heading: string, lang: string): string {
  const text = readFileSync(join(ROOT, file), "utf8");
  const level = /^#+/.exec(heading)?.[0] ?? "";
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${file} has no "${heading}" heading`);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^${level} `, "m"));
  const section = end < 0 ? rest : rest.slice(0, end);
  const block = new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```", "m").exec(section);
  if (!block?.[1]) throw new Error(`${file} has no \`\`\`${lang} block under "${heading}"`);
  return block[1];
}

/** The same, in README.md. */
export function readmeBlock(heading: string, lang: string): string {
  return markdownBlock("README.md", heading, lang);
}
