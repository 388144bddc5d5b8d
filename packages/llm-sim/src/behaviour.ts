import { bool, isObject, num, obj, str, type JsonObject } from "./json.js";
import type { Behaviour, ErrorOverride, ToolCallSpec } from "./types.js";

/** The single terminal effect a behaviour resolves to. */
export type Outcome =
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "html"; status: number }
  | { kind: "malformed" }
  | { kind: "error"; status: number }
  | { kind: "error-in-body"; status: number }
  | { kind: "reply" };

export type OutcomeKind = Outcome["kind"];

export function classify(b: Behaviour): Outcome {
  if (b.reset) return { kind: "reset" };
  if (b.hang) return { kind: "hang" };
  if (b.html !== undefined && b.html !== false) {
    return { kind: "html", status: typeof b.html === "number" ? b.html : 502 };
  }
  if (b.malformed) return { kind: "malformed" };
  if (b.status !== undefined && b.status >= 400) return { kind: "error", status: b.status };
  if (b.errorInBody !== undefined && b.errorInBody !== false) {
    return {
      kind: "error-in-body",
      status: typeof b.errorInBody === "number" ? b.errorInBody : 500,
    };
  }
  return { kind: "reply" };
}

/** Later behaviours override earlier ones field by field. */
export function mergeBehaviours(list: readonly Behaviour[]): Behaviour {
  return list.reduce<Behaviour>((acc, b) => ({ ...acc, ...b }), {});
}

/** `retry-after`, `retry-after-ms`, `x-should-retry` and custom headers of a behaviour. */
export function behaviourHeaders(b: Behaviour): Record<string, string> {
  const headers: Record<string, string> = {};
  if (b.retryAfter !== undefined) headers["retry-after"] = String(b.retryAfter);
  if (b.retryAfterMs !== undefined) headers["retry-after-ms"] = String(b.retryAfterMs);
  if (b.shouldRetry !== undefined) headers["x-should-retry"] = String(b.shouldRetry);
  return { ...headers, ...b.headers };
}

/** Parses the JSON form of a behaviour (control API); unknown fields are rejected. */
export function parseBehaviour(value: unknown): Behaviour | string {
  if (!isObject(value)) return "respond must be an object";
  const known = new Set([
    ...["delayMs", "chunkDelayMs", "status", "error", "retryAfter", "retryAfterMs"],
    ...["shouldRetry", "headers", "errorInBody", "hang", "reset", "truncate", "malformed"],
    ...["html", "text", "tool", "cachedTokens", "gzip"],
  ]);
  const unknown = Object.keys(value).filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown behaviour field(s): ${unknown.join(", ")}`;
  const b: Behaviour = {
    delayMs: num(value, "delayMs"),
    chunkDelayMs: num(value, "chunkDelayMs"),
    status: num(value, "status"),
    retryAfter: num(value, "retryAfter"),
    retryAfterMs: num(value, "retryAfterMs"),
    shouldRetry: bool(value, "shouldRetry"),
    errorInBody:
      typeof value["errorInBody"] === "boolean" ? value["errorInBody"] : num(value, "errorInBody"),
    hang: bool(value, "hang"),
    reset: bool(value, "reset"),
    truncate: num(value, "truncate"),
    malformed: bool(value, "malformed"),
    gzip: bool(value, "gzip"),
    html: typeof value["html"] === "boolean" ? value["html"] : num(value, "html"),
    text: str(value, "text"),
    cachedTokens: num(value, "cachedTokens"),
    error: parseError(obj(value, "error")),
    tool: parseTool(obj(value, "tool")),
    headers: parseHeaders(obj(value, "headers")),
  };
  return dropUndefined(b);
}

function parseError(value: JsonObject | undefined): ErrorOverride | undefined {
  if (!value) return undefined;
  const code = value["code"];
  return dropUndefined({
    message: str(value, "message"),
    type: str(value, "type"),
    code: typeof code === "string" || typeof code === "number" ? code : undefined,
  });
}

function parseTool(value: JsonObject | undefined): ToolCallSpec | undefined {
  const name = value && str(value, "name");
  if (!value || !name) return undefined;
  const args = obj(value, "args");
  return args ? { name, args } : { name };
}

function parseHeaders(value: JsonObject | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" || typeof v === "number") out[k.toLowerCase()] = String(v);
  }
  return out;
}

function dropUndefined<T extends object>(value: T): T {
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) Reflect.deleteProperty(value, key);
  }
  return value;
}
