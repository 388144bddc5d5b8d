import { z } from "zod";

/**
 * Objects as the official SDKs send them. Each SDK serializes the same field its own way: the JS
 * SDK omits absent options, the Python SDK sends `null` in some places (`"opts": null`,
 * `"userland": {"id": "a", "index": null}`) and spells some keys in its own case (`appname`,
 * `deploy_type`), and the Go server reading them matches JSON keys case-insensitively. So a key
 * here matches its canonical spelling regardless of case, `_` and `-` (`rate_limit`, `RateLimit`
 * → `rateLimit`), and `null` on an optional field means absent. Values are still checked as
 * strictly as before: garbage is rejected with a message naming the field.
 */

/** `rate_limit`, `RateLimit`, `rate-limit` and `ratelimit` all fold to `ratelimit`. */
export function foldKey(key: string): string {
  const lower = key.toLowerCase();
  return lower.includes("_") || lower.includes("-") ? lower.replace(/[_-]/g, "") : lower;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Renames keys to their canonical spelling and drops `null` from optional fields. A key spelled
 * exactly as the canonical one wins over a variant of it; unknown keys pass through unchanged.
 */
function canonicalizeKeys(
  input: Record<string, unknown>,
  canonical: ReadonlyMap<string, string>,
  optional: ReadonlySet<string>,
): Record<string, unknown> {
  if (alreadyCanonical(input, canonical, optional)) return input;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const name = canonical.get(foldKey(key)) ?? key;
    if (key !== name && (Object.hasOwn(input, name) || Object.hasOwn(out, name))) continue;
    if (value === null && optional.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The common case (the JS SDK's spelling, no `null`s to drop) needs no copy: opcodes are parsed
 * on every SDK response.
 */
function alreadyCanonical(
  input: Record<string, unknown>,
  canonical: ReadonlyMap<string, string>,
  optional: ReadonlySet<string>,
): boolean {
  for (const key in input) {
    if (!Object.hasOwn(input, key)) continue;
    const name = canonical.get(foldKey(key));
    if (name === undefined) continue;
    if (name !== key || (input[key] === null && optional.has(name))) return false;
  }
  return true;
}

/**
 * A `z.looseObject(shape)` that also accepts the key spellings and `null`s of every official SDK
 * (see above). Its output always uses the canonical keys, so code downstream reads one shape.
 */
export function sdkObject<const Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess(canonicalizer(shape), z.looseObject(shape));
}

/** As `sdkObject`, but unknown keys are dropped (`z.object`): for small closed shapes. */
export function sdkStrippedObject<const Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess(canonicalizer(shape), z.object(shape));
}

function canonicalizer(shape: z.ZodRawShape): (input: unknown) => unknown {
  const canonical = new Map(Object.keys(shape).map((key) => [foldKey(key), key]));
  const optional = new Set(
    Object.entries(shape)
      .filter(([, schema]) => z.safeParse(schema, undefined).success)
      .map(([key]) => key),
  );
  return (input) => (isPlainObject(input) ? canonicalizeKeys(input, canonical, optional) : input);
}
