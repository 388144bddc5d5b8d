/**
 * `clean: true` answers are plain text for clients that cannot render markdown (the POC's
 * option): markup is removed and whitespace collapsed, while words, code and paragraph breaks
 * survive.
 */
export function cleanText(markdown: string): string {
  return (
    markdown
      .replace(/\r\n?/gu, "\n")
      // Fenced code: keep the code, drop the fences and language tag.
      .replace(/^[ \t]*(```|~~~)[^\n]*\n([\s\S]*?)^[ \t]*\1[ \t]*$/gmu, "$2")
      .replace(/!\[([^\]]*)\]\([^)]*\)/gu, "$1")
      .replace(/\[([^\]]+)\]\([^)]*\)/gu, "$1")
      .replace(/^[ \t]{0,3}#{1,6}\s+/gmu, "")
      .replace(/^[ \t]{0,3}>\s?/gmu, "")
      .replace(/^[ \t]*(?:[-*+]|\d+[.)])\s+/gmu, "")
      .replace(/^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$/gmu, "")
      .replace(/^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$/gmu, "")
      .replace(/\|/gu, " ")
      .replace(/(\*\*|__)(.+?)\1/gu, "$2")
      .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/gu, "$1$2")
      .replace(/~~(.+?)~~/gu, "$1")
      .replace(/`([^`]+)`/gu, "$1")
      .split("\n")
      .map((line) => line.replace(/[ \t\u00a0]+/gu, " ").trim())
      .join("\n")
      .replace(/\n{3,}/gu, "\n\n")
      .trim()
  );
}
