import { isObject, parseJson } from "./json.js";
import type { Behaviour } from "./types.js";

/**
 * Prompt directives: `[[sim: status=429 retry-after=2]]` inside the last user message. They
 * let a caller that cannot reach the script API (an SDK in another process) steer the reply.
 *
 * Grammar: `[[sim:` item* `]]`, items separated by spaces; an item is a flag (`reset`) or
 * `key=value`. Values are a bare word, or a JSON string (`message="rate limited"`).
 * `text=` takes the rest of the directive; `tool=NAME` may be followed by a JSON object.
 */
export interface Directive {
  behaviour: Behaviour;
  /** How many requests the directive affects; needs `key` (or defaults to its own text). */
  times: number | undefined;
  key: string | undefined;
  raw: string;
}

const OPEN = "[[sim:";
const CLOSE = "]]";
const FLAGS = new Set(["reset", "hang", "malformed", "html", "error-in-body", "gzip"]);

export function parseDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf(OPEN, from);
    if (start < 0) return out;
    const parsed = parseOne(text, start + OPEN.length);
    if (!parsed) return out;
    const raw = text.slice(start, parsed.end);
    out.push(toDirective(parsed.items, raw));
    from = parsed.end;
  }
}

/** The text with every directive removed, for the echo reply. */
export function stripDirectives(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const start = text.indexOf(OPEN, from);
    if (start < 0) break;
    const parsed = parseOne(text, start + OPEN.length);
    if (!parsed) break;
    out += text.slice(from, start);
    from = parsed.end;
  }
  out += text.slice(from);
  return out.replace(/\s+/gu, " ").trim();
}

type Item = { key: string; value: string | undefined; json?: unknown };

function parseOne(text: string, at: number): { items: Item[]; end: number } | undefined {
  const items: Item[] = [];
  let i = at;
  for (;;) {
    while (i < text.length && /\s/u.test(text[i] ?? "")) i++;
    if (i >= text.length) return undefined;
    if (text.startsWith(CLOSE, i)) return { items, end: i + CLOSE.length };
    const keyMatch = /^[A-Za-z][\w-]*/u.exec(text.slice(i));
    if (!keyMatch) return undefined;
    const key = keyMatch[0].toLowerCase();
    i += key.length;
    if (text[i] !== "=") {
      items.push({ key, value: undefined });
      continue;
    }
    i++;
    const read = readValue(text, i, key);
    if (!read) return undefined;
    items.push(read.item);
    i = read.end;
  }
}

function readValue(text: string, i: number, key: string): { item: Item; end: number } | undefined {
  if (text[i] === '"') {
    const end = scanString(text, i);
    if (end < 0) return undefined;
    const parsed = parseJson(text.slice(i, end));
    const value = parsed.ok && typeof parsed.value === "string" ? parsed.value : "";
    return { item: { key, value }, end };
  }
  if (key === "text" || key === "message") {
    const close = text.indexOf(CLOSE, i);
    if (close < 0) return undefined;
    return { item: { key, value: text.slice(i, close).trim() }, end: close };
  }
  const word = /^[^\s\]]+/u.exec(text.slice(i))?.[0] ?? "";
  let end = i + word.length;
  if (key !== "tool") return { item: { key, value: word }, end };
  let j = end;
  while (j < text.length && /\s/u.test(text[j] ?? "")) j++;
  if (text[j] !== "{") return { item: { key, value: word }, end };
  const jsonEnd = scanObject(text, j);
  if (jsonEnd < 0) return undefined;
  const parsed = parseJson(text.slice(j, jsonEnd));
  end = jsonEnd;
  return { item: { key, value: word, json: parsed.ok ? parsed.value : undefined }, end };
}

/** Index just past the JSON string starting at `i`, or -1. */
function scanString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return -1;
}

/** Index just past the balanced JSON object starting at `i`, or -1. */
function scanObject(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const ch = text[j];
    if (ch === '"') {
      j = scanString(text, j) - 1;
      if (j < 0) return -1;
    } else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

function toDirective(items: readonly Item[], raw: string): Directive {
  const behaviour: Behaviour = {};
  let times: number | undefined;
  let key: string | undefined;
  for (const item of items) {
    if (item.key === "times") times = toNumber(item.value);
    else if (item.key === "key") key = item.value;
    else apply(behaviour, item);
  }
  return { behaviour, times, key: key ?? (times === undefined ? undefined : raw), raw };
}

function apply(b: Behaviour, { key, value, json }: Item): void {
  const n = toNumber(value);
  const flag = value === undefined ? FLAGS.has(key) : value !== "false";
  const setters: Record<string, () => void> = {
    status: () => (b.status = n),
    "retry-after": () => (b.retryAfter = n),
    "retry-after-ms": () => (b.retryAfterMs = n),
    "should-retry": () => (b.shouldRetry = value !== "false"),
    delay: () => (b.delayMs = n),
    "chunk-delay": () => (b.chunkDelayMs = n),
    truncate: () => (b.truncate = n),
    cached: () => (b.cachedTokens = n),
    text: () => (b.text = value ?? ""),
    message: () => (b.error = { ...b.error, message: value ?? "" }),
    type: () => (b.error = { ...b.error, type: value ?? "" }),
    code: () => (b.error = { ...b.error, code: n ?? value ?? "" }),
    reset: () => (b.reset = flag),
    hang: () => (b.hang = flag),
    malformed: () => (b.malformed = flag),
    gzip: () => (b.gzip = flag),
    "error-in-body": () => (b.errorInBody = n ?? flag),
    html: () => (b.html = n ?? flag),
    tool: () =>
      (b.tool = isObject(json) ? { name: value ?? "", args: json } : { name: value ?? "" }),
  };
  setters[key]?.();
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
