/** Type guards for untrusted JSON; nothing in this package casts parsed bodies. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === "string" ? value : undefined;
}

export function num(obj: JsonObject, key: string): number | undefined {
  const value = obj[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function bool(obj: JsonObject, key: string): boolean | undefined {
  const value = obj[key];
  return typeof value === "boolean" ? value : undefined;
}

export function arr(obj: JsonObject, key: string): unknown[] | undefined {
  const value = obj[key];
  return Array.isArray(value) ? value : undefined;
}

export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const value = o[key];
  return isObject(value) ? value : undefined;
}

export function objects(values: readonly unknown[] | undefined): JsonObject[] {
  return (values ?? []).filter(isObject);
}

/** Parses JSON without throwing; `ok: false` carries the parser's message. */
export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** Renders a tool result or similar payload as the text a model would "read". */
export function contentText(value: unknown): string {
  if (typeof value === "string") return value;
  // Content parts: only text parts are "read"; images and files would flood the echo.
  if (Array.isArray(value)) {
    return value
      .map((part) =>
        typeof part === "string" ? part : isObject(part) ? str(part, "text") : undefined,
      )
      .filter((text): text is string => text !== undefined)
      .join("\n");
  }
  if (value === undefined || value === null) return "";
  return JSON.stringify(value);
}
