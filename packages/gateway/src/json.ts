/**
 * Readers for untrusted provider JSON. Provider bodies are never cast: every field is read through
 * a guard that answers `undefined` when the shape differs.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value[key]` when `value` is an object, else `undefined`. */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

export function rec(value: unknown, key: string): JsonRecord | undefined {
  const v = field(value, key);
  return isRecord(v) ? v : undefined;
}

/** `value` as an array of unknowns (`Array.isArray` alone narrows to `any[]`). */
export function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? (value as unknown[]) : undefined;
}

export function list(value: unknown, key: string): unknown[] | undefined {
  return asArray(field(value, key));
}

export function records(values: readonly unknown[] | undefined): JsonRecord[] {
  return (values ?? []).filter(isRecord);
}

export function str(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === "string" ? v : undefined;
}

/** A finite number, else `undefined`. */
export function num(value: unknown, key: string): number | undefined {
  const v = field(value, key);
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Parses JSON without throwing; `undefined` for empty or invalid text. */
export function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
