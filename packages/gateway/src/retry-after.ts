import { asArray, field, isRecord, list, rec, records, str } from "./json.js";

/** Response headers as undici gives them, or a WHATWG `Headers`. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>> | Headers;

function headerGetter(headers: HeaderBag): (name: string) => string | undefined {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) lower.set(name.toLowerCase(), first.trim());
  }
  return (name) => lower.get(name);
}

function nonNegativeNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000_001,
};

/** A Go duration as OpenAI sends it: `1s`, `6m0s`, `20ms`, `1h2m3.5s`. */
export function parseGoDuration(text: string): number | undefined {
  const pattern = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gu;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index !== consumed) return undefined;
    const [whole, amount, unit] = match;
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
    consumed += whole.length;
  }
  return consumed === text.length && consumed > 0 && Number.isFinite(total) ? total : undefined;
}

/** `retry-after`: delay in seconds, or an HTTP date. */
function retryAfterHeader(value: string | undefined, now: number): number | undefined {
  const seconds = nonNegativeNumber(value);
  if (seconds !== undefined) return seconds * 1000;
  if (value === undefined || !/[a-z]/iu.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The latest reset among exhausted limits (`remaining` 0); when no limit says it is exhausted,
 * the latest reset of all, since the 429 came from one of them.
 */
function latestReset(
  get: (name: string) => string | undefined,
  limits: readonly { reset: string; remaining: string }[],
  parse: (value: string) => number | undefined,
): number | undefined {
  const all: { ms: number; exhausted: boolean }[] = [];
  for (const limit of limits) {
    const value = get(limit.reset);
    const ms = value === undefined ? undefined : parse(value);
    if (ms !== undefined) all.push({ ms, exhausted: get(limit.remaining) === "0" });
  }
  const exhausted = all.filter((l) => l.exhausted);
  const pool = exhausted.length > 0 ? exhausted : all;
  return pool.length === 0 ? undefined : Math.max(...pool.map((l) => l.ms));
}

const OPENAI_LIMITS = ["requests", "tokens"].map((kind) => ({
  reset: `x-ratelimit-reset-${kind}`,
  remaining: `x-ratelimit-remaining-${kind}`,
}));

const ANTHROPIC_LIMITS = ["requests", "tokens", "input-tokens", "output-tokens"].map((kind) => ({
  reset: `anthropic-ratelimit-${kind}-reset`,
  remaining: `anthropic-ratelimit-${kind}-remaining`,
}));

/**
 * How long the provider asks us to wait, in ms (ai-gateway.md §5.4): `retry-after-ms`,
 * `x-ms-retry-after-ms` (Azure), `retry-after` (seconds or HTTP date, against `now`); and only
 * for a 429, the rate-limit reset headers: OpenAI `x-ratelimit-reset-*` (Go durations) and
 * Anthropic `anthropic-ratelimit-*-reset` (RFC 3339). Reset headers are on every response, so
 * on anything but a 429 they say nothing about a retry.
 */
export function retryAfterMs(headers: HeaderBag, now: number, status?: number): number | undefined {
  const get = headerGetter(headers);
  const direct =
    nonNegativeNumber(get("retry-after-ms")) ??
    nonNegativeNumber(get("x-ms-retry-after-ms")) ??
    retryAfterHeader(get("retry-after"), now);
  if (direct !== undefined) return Math.ceil(direct);
  if (status !== 429) return undefined;
  const reset =
    latestReset(get, OPENAI_LIMITS, parseGoDuration) ??
    latestReset(get, ANTHROPIC_LIMITS, (value) => {
      const at = Date.parse(value);
      return Number.isNaN(at) ? undefined : Math.max(0, at - now);
    });
  return reset === undefined ? undefined : Math.ceil(reset);
}

/** Gemini `google.rpc.RetryInfo.retryDelay`: `"2s"`, `"23.5s"`. */
function geminiRetryDelay(error: unknown): number | undefined {
  for (const detail of records(list(error, "details"))) {
    const type = str(detail, "@type") ?? "";
    const delay = str(detail, "retryDelay");
    if (type.endsWith("google.rpc.RetryInfo") && delay !== undefined) {
      return parseGoDuration(delay.trim());
    }
  }
  return undefined;
}

/**
 * OpenRouter forwards the limit headers in `error.metadata.headers`; `X-RateLimit-Reset` is an
 * epoch timestamp in ms (seconds are accepted too: anything below 1e11 cannot be ms of this era).
 */
function openrouterReset(error: unknown, now: number): number | undefined {
  const headers = rec(rec(error, "metadata"), "headers");
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== "x-ratelimit-reset") continue;
    const at = typeof value === "number" ? value : nonNegativeNumber(str(headers, name));
    if (at === undefined || !Number.isFinite(at)) return undefined;
    return Math.max(0, (at < 1e11 ? at * 1000 : at) - now);
  }
  return undefined;
}

/** "Please try again in 6.5s" / "in 20ms" (OpenAI, Groq) — when no header says it. */
function messageDelay(error: unknown): number | undefined {
  const message = str(error, "message");
  const match =
    message === undefined ? null : /try again in ((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)/iu.exec(message);
  return match?.[1] === undefined ? undefined : parseGoDuration(match[1]);
}

/**
 * A wait the provider states in its error body: Gemini `RetryInfo.retryDelay`, OpenRouter's
 * forwarded `X-RateLimit-Reset` (epoch ms, against `now`), or an OpenAI-style "try again in 6s".
 */
export function retryAfterFromBody(json: unknown, now: number): number | undefined {
  // Gemini sometimes wraps the error in a one-element array.
  const body = asArray(json)?.[0] ?? json;
  if (!isRecord(body)) return undefined;
  const error = field(body, "error");
  const ms = geminiRetryDelay(error) ?? openrouterReset(error, now) ?? messageDelay(error);
  return ms === undefined ? undefined : Math.ceil(ms);
}
