/**
 * Conversion between JSON data and CEL values.
 *
 * Numbers: JSON has one number type, CEL has `int` and `double`. Safe integers become CEL `int`
 * (bigint) and everything else `double`. With @bufbuild/cel's heterogeneous numeric equality and
 * ordering, `event.data.count == 3`, `== 3.0` and `> 1.5` all work whichever way a value is
 * stored; ints also make `%`, list indexes and `size(x) == event.data.n` work, and numeric.ts adds
 * int/double arithmetic so `event.data.price * 2` works for `price: 2` and `price: 2.5` alike.
 */
import {
  celList,
  celMap,
  isCelList,
  isCelMap,
  isCelType,
  isCelUint,
  type CelInput,
  type CelValue,
} from "@bufbuild/cel";

/** JSON nesting deeper than this is refused instead of risking a stack overflow. */
export const MAX_DEPTH = 100;

/** Converts a JSON value to the input the CEL evaluator expects. */
export const toCelInput = (value: unknown, depth = 0): CelInput => {
  if (depth > MAX_DEPTH) throw new RangeError(`data nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "number":
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case "object":
      return objectToCel(value, depth);
    default:
      throw new TypeError(`cannot use a ${typeof value} as expression data`);
  }
};

const objectToCel = (value: object, depth: number): CelInput => {
  if (value instanceof Date) return value.toJSON();
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    return celList(items.map((item) => toCelInput(item, depth + 1)));
  }
  const map = new Map<string, CelInput>();
  for (const [key, item] of Object.entries(value)) {
    // A key whose value is undefined is absent in JSON; keep it absent so `has()` agrees.
    if (item !== undefined) map.set(key, toCelInput(item, depth + 1));
  }
  return celMap(map);
};

export const isJsonObject = (value: unknown): value is object =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Own properties only: "constructor" or "__proto__" in a path must not reach the prototype. */
export const ownValue = (value: object, key: string): unknown => {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  const found: unknown = descriptor?.value;
  return found;
};

/**
 * Converts an evaluation result to plain JS: ints/uints → number when safe (bigint otherwise),
 * maps → objects, lists → arrays. Timestamps become RFC 3339 strings and durations `"<n>s"`
 * (their protobuf JSON forms), types their name.
 */
export const fromCel = (value: CelValue): unknown => {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "number":
      return value;
    case "bigint":
      return bigintToJs(value);
  }
  if (value === null || value instanceof Uint8Array) return value;
  if (isCelUint(value)) return bigintToJs(value.value);
  if (isCelList(value)) return Array.from(value, fromCel);
  if (isCelMap(value)) {
    // fromEntries defines own properties, so a "__proto__" key cannot reach the prototype.
    return Object.fromEntries(
      Array.from(value.entries(), ([key, item]) => [
        isCelUint(key) ? key.value.toString() : String(key),
        fromCel(item),
      ]),
    );
  }
  if (isCelType(value)) return value.name;
  return wellKnownToJs(value.desc.typeName, value.message);
};

const bigintToJs = (value: bigint): number | bigint =>
  value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;

const wellKnownToJs = (typeName: string, message: object): unknown => {
  const seconds =
    "seconds" in message && typeof message.seconds === "bigint" ? message.seconds : 0n;
  const nanos = "nanos" in message && typeof message.nanos === "number" ? message.nanos : 0;
  if (typeName === "google.protobuf.Timestamp") {
    return new Date(Number(seconds) * 1000 + Math.floor(nanos / 1e6)).toISOString();
  }
  if (typeName === "google.protobuf.Duration") {
    const sign = seconds < 0n || nanos < 0 ? "-" : "";
    const whole = seconds < 0n ? -seconds : seconds;
    const fraction = nanos === 0 ? "" : `.${String(Math.abs(nanos)).padStart(9, "0")}`;
    return `${sign}${whole}${fraction.replace(/0+$/, "")}s`;
  }
  return typeName;
};
