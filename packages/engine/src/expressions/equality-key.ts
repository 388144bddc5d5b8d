/**
 * Equality keys let the server index waits: a wait whose (interpolated) expression is
 * `async.data.user == "u1"` can only match events whose `data.user` is "u1", so an incoming event
 * named N finds its candidates with a lookup on (N, "data.user", event.data.user) instead of
 * evaluating every wait for N. The index narrows candidates; the full expression is still
 * evaluated on each candidate.
 */
import { conjuncts, Op, readAccessChain, type Expr } from "./ast.js";
import { compileExpression } from "./compile.js";
import { isJsonObject, ownValue } from "./values.js";

export type EqualityKeyValue = string | number | boolean;

export interface EqualityKey {
  /** Dot path inside the candidate event, e.g. "data.user"; read it with `readPath`. */
  path: string;
  value: EqualityKeyValue;
}

const ASYNC = "async";

/**
 * The key of an expression that can be true only if `readPath(async, path) === value`: the
 * expression is `async.<path> == <literal>` (either order) or has such a comparison as one of its
 * top-level `&&` conjuncts. Anything else — `||`, `!=`, `<`, negation, ternaries, `async` on both
 * sides, paths through list indexes or keys containing "." — gives undefined. The first
 * qualifying conjunct wins. Throws `ExpressionError` if `source` is invalid.
 *
 * Index values with their type (e.g. `JSON.stringify(value)`): CEL's `"1" == 1` is false, and
 * `1 == 1.0` is true, which the JSON number 1 already satisfies.
 */
export const extractEqualityKey = (source: string): EqualityKey | undefined => {
  const { parsed, variables } = compileExpression(source);
  if (!variables.has(ASYNC)) return undefined;
  for (const conjunct of conjuncts(parsed.expr)) {
    const key = equalityOf(conjunct);
    if (key !== undefined) return key;
  }
  return undefined;
};

const equalityOf = (expr: Expr): EqualityKey | undefined => {
  const kind = expr.exprKind;
  if (kind.case !== "callExpr" || kind.value.function !== Op.Equals) return undefined;
  const [left, right] = kind.value.args;
  if (left === undefined || right === undefined || kind.value.target !== undefined)
    return undefined;
  const leftPath = asyncPath(left);
  const rightPath = asyncPath(right);
  if (leftPath !== undefined && rightPath === undefined) return keyOf(leftPath, right);
  if (rightPath !== undefined && leftPath === undefined) return keyOf(rightPath, left);
  return undefined;
};

const keyOf = (path: string, other: Expr): EqualityKey | undefined => {
  const value = literalValue(other);
  return value === undefined ? undefined : { path, value };
};

/** `async.a.b["c"]` → "a.b.c"; only field names, since readPath cannot express list indexes. */
const asyncPath = (expr: Expr): string | undefined => {
  const chain = readAccessChain(expr);
  if (chain === undefined || chain.root !== ASYNC || chain.testOnly) return undefined;
  if (chain.segments.length === 0) return undefined;
  const fields: string[] = [];
  for (const segment of chain.segments) {
    if (typeof segment !== "string" || segment === "" || segment.includes(".")) return undefined;
    fields.push(segment);
  }
  return fields.join(".");
};

/**
 * The JS value a literal equals in JSON terms. Numbers must be exactly representable (a JSON
 * number is a double), and null is left out: it cannot be a key value.
 */
const literalValue = (expr: Expr): EqualityKeyValue | undefined => {
  const kind = expr.exprKind;
  if (kind.case !== "constExpr") return undefined;
  const constant = kind.value.constantKind;
  switch (constant.case) {
    case "stringValue":
    case "boolValue":
      return constant.value;
    case "doubleValue":
      return Number.isFinite(constant.value) ? constant.value : undefined;
    case "int64Value":
    case "uint64Value": {
      const value = Number(constant.value);
      return Number.isSafeInteger(value) ? value : undefined;
    }
    default:
      return undefined;
  }
};

/**
 * Reads a dot path ("data.user") from JSON, the ingestion-side counterpart of `EqualityKey.path`.
 * Follows own properties of objects only (as CEL field selection does); returns undefined when any
 * step is missing or not an object. The empty path is the value itself.
 */
export const readPath = (value: unknown, path: string): unknown => {
  if (path === "") return value;
  let current = value;
  for (const field of path.split(".")) {
    if (!isJsonObject(current)) return undefined;
    current = ownValue(current, field);
  }
  return current;
};
