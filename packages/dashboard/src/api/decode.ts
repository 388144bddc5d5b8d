/**
 * Runtime checks of what the server answers. A decoder returns the value typed, or throws a
 * `DecodeError` that names the path and what was expected, so a response that changed shape
 * shows up as a readable error state instead of `undefined` deep in a component.
 */

export class DecodeError extends Error {
  override readonly name = "DecodeError";
  constructor(
    readonly path: string,
    readonly expected: string,
    got: unknown,
  ) {
    super(`${path}: expected ${expected}, got ${describe(got)}`);
  }
}

export type Decoder<T> = (value: unknown, path: string) => T;
export type Decoded<D> = D extends Decoder<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const string: Decoder<string> = (value, path) => {
  if (typeof value !== "string") throw new DecodeError(path, "a string", value);
  return value;
};

export const number: Decoder<number> = (value, path) => {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new DecodeError(path, "a number", value);
  return value;
};

export const boolean: Decoder<boolean> = (value, path) => {
  if (typeof value !== "boolean") throw new DecodeError(path, "a boolean", value);
  return value;
};

/** Any JSON value, kept as `unknown`: components narrow it before use. */
export const unknownValue: Decoder<unknown> = (value) => value;

export const record: Decoder<Record<string, unknown>> = (value, path) => {
  if (!isRecord(value)) throw new DecodeError(path, "an object", value);
  return value;
};

/** `null` and a missing field both decode to `null`. */
export function nullable<T>(decoder: Decoder<T>): Decoder<T | null> {
  return (value, path) => (value === null || value === undefined ? null : decoder(value, path));
}

/** A field that older or newer servers may leave out. */
export function optional<T>(decoder: Decoder<T>): Decoder<T | undefined> {
  return (value, path) => (value === undefined ? undefined : decoder(value, path));
}

export function array<T>(decoder: Decoder<T>): Decoder<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw new DecodeError(path, "an array", value);
    return value.map((item: unknown, index) => decoder(item, `${path}[${index}]`));
  };
}

export function oneOf<const T extends readonly string[]>(values: T): Decoder<T[number]> {
  return (value, path) => {
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) throw new DecodeError(path, `one of ${values.join(", ")}`, value);
    return found;
  };
}

type Shape = Record<string, Decoder<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S]: Decoded<S[K]> };

/** An object with these fields (others are ignored). */
export function object<S extends Shape>(shape: S): Decoder<FromShape<S>> {
  return (value, path) => {
    const input = record(value, path);
    const out: Record<string, unknown> = {};
    for (const [key, decoder] of Object.entries(shape)) {
      out[key] = decoder(input[key], `${path}.${key}`);
    }
    // Every key of `shape` was decoded by its own decoder just above.
    return out as FromShape<S>;
  };
}
