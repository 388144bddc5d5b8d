/**
 * Better locations for the most common syntax error. The parser backtracks out of an unclosed
 * string literal and then blames whatever it could not continue with: for `x == 'abc` it reports
 * "found =" at column 3. On a parse failure we scan for a string that never closes and point at
 * its opening quote instead.
 */

const IDENTIFIER_CHAR = /[A-Za-z0-9_]/;

/** Offset of the opening quote of an unterminated string literal, if there is one. */
export const findUnterminatedString = (source: string): number | undefined => {
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (char === "/" && source[i + 1] === "/") {
      const newline = source.indexOf("\n", i);
      if (newline === -1) return undefined;
      i = newline + 1;
    } else if (char === '"' || char === "'") {
      const end = stringEnd(source, i, isRaw(source, i));
      if (end === undefined) return i;
      i = end;
    } else {
      i++;
    }
  }
  return undefined;
};

/** `r"…"`, `R'…'`, `rb"…"`, `br"…"`: raw strings do not process backslash escapes. */
const isRaw = (source: string, quote: number): boolean => {
  let start = quote;
  while (start > 0 && quote - start < 2 && /[rRbB]/.test(source[start - 1] ?? "")) start--;
  const prefix = source.slice(start, quote);
  const before = source[start - 1];
  return /[rR]/.test(prefix) && (before === undefined || !IDENTIFIER_CHAR.test(before));
};

/** Offset just past the closing quote, or undefined if the literal never closes. */
const stringEnd = (source: string, open: number, raw: boolean): number | undefined => {
  const quote = source[open] ?? "";
  const triple = source.startsWith(quote.repeat(3), open);
  const closing = triple ? quote.repeat(3) : quote;
  let i = open + closing.length;
  while (i < source.length) {
    if (!raw && source[i] === "\\") {
      i += 2;
    } else if (source.startsWith(closing, i)) {
      return i + closing.length;
    } else if (!triple && (source[i] === "\n" || source[i] === "\r")) {
      return undefined;
    } else {
      i++;
    }
  }
  return undefined;
};
