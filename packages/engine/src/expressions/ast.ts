/**
 * Typed access to the CEL AST produced by `@bufbuild/cel`'s `parse()`. The AST types live in
 * `@bufbuild/cel-spec`, which is not a direct dependency of the engine, so they are derived from
 * `parse`'s signature instead of imported.
 */
import type { parse } from "@bufbuild/cel";
import { MAX_DEPTH } from "./values.js";

export type ParsedExpr = ReturnType<typeof parse>;
export type Expr = ParsedExpr["expr"];
type ExprKind = Expr["exprKind"];
type KindValue<C extends ExprKind["case"]> = Extract<ExprKind, { case: C }>["value"];
export type Constant = KindValue<"constExpr">;
export type Call = KindValue<"callExpr">;
type Entry = KindValue<"structExpr">["entries"][number];
type NullConstant = Extract<Constant["constantKind"], { case: "nullValue" }>;

/** Operator function names as the parser spells them. */
export const Op = {
  And: "_&&_",
  Equals: "_==_",
  Index: "_[_]",
} as const;

/**
 * Synthesized nodes get id 0: the unparser looks every id up in `sourceInfo.macroCalls`, and the
 * parser numbers real nodes from 1, so 0 can never be mistaken for a macro call site.
 */
const SYNTHETIC_ID = 0n;

/** A path segment: a field name (`.x`, `["x"]`) or a list index (`[0]`). */
export type PathSegment = string | number;

/** `root.a.b["c"][0]`: an identifier followed by field selections / constant indexes. */
export interface AccessChain {
  root: string;
  segments: PathSegment[];
  /** `has(root.a.b)`: the last segment is tested for presence, not read. */
  testOnly: boolean;
}

/** Reads `expr` as an access chain, or undefined if any step is not a plain constant access. */
export const readAccessChain = (expr: Expr): AccessChain | undefined => {
  const segments: PathSegment[] = [];
  let testOnly = false;
  let node: Expr | undefined = expr;
  for (let depth = 0; node !== undefined; depth++) {
    const kind: ExprKind = node.exprKind;
    if (kind.case === "identExpr") {
      return { root: kind.value.name, segments: segments.reverse(), testOnly };
    }
    if (kind.case === "selectExpr") {
      if (kind.value.testOnly) {
        // Only the outermost select can be a presence test.
        if (depth > 0) return undefined;
        testOnly = true;
      }
      segments.push(kind.value.field);
      node = kind.value.operand;
      continue;
    }
    const index = constantIndex(kind);
    if (index === undefined) return undefined;
    segments.push(index.key);
    node = index.operand;
  }
  return undefined;
};

const constantIndex = (kind: ExprKind): { operand: Expr; key: PathSegment } | undefined => {
  if (kind.case !== "callExpr" || kind.value.function !== Op.Index) return undefined;
  const [operand, key] = kind.value.args;
  if (operand === undefined || key === undefined || kind.value.args.length !== 2) return undefined;
  if (key.exprKind.case !== "constExpr") return undefined;
  const constant = key.exprKind.value.constantKind;
  if (constant.case === "stringValue") return { operand, key: constant.value };
  if (constant.case === "int64Value" && constant.value >= 0n) {
    return { operand, key: Number(constant.value) };
  }
  return undefined;
};

/** Visits `expr` and every sub-expression, including comprehension parts. */
export const childrenOf = (expr: Expr): Expr[] => {
  const kind = expr.exprKind;
  switch (kind.case) {
    case "selectExpr":
      return present([kind.value.operand]);
    case "callExpr":
      return present([kind.value.target, ...kind.value.args]);
    case "listExpr":
      return kind.value.elements;
    case "structExpr":
      return present(
        kind.value.entries.flatMap((entry) => [
          entry.keyKind.case === "mapKey" ? entry.keyKind.value : undefined,
          entry.value,
        ]),
      );
    case "comprehensionExpr":
      return present([
        kind.value.iterRange,
        kind.value.accuInit,
        kind.value.loopCondition,
        kind.value.loopStep,
        kind.value.result,
      ]);
    default:
      return [];
  }
};

const present = (nodes: (Expr | undefined)[]): Expr[] =>
  nodes.filter((node): node is Expr => node !== undefined);

/** Flattens a top-level `a && (b && c)` into `[a, b, c]`. */
export const conjuncts = (expr: Expr): Expr[] => {
  const kind = expr.exprKind;
  if (
    kind.case === "callExpr" &&
    kind.value.function === Op.And &&
    kind.value.target === undefined
  ) {
    return kind.value.args.flatMap(conjuncts);
  }
  return [expr];
};

// ---- Literal construction (for interpolation) ----

const node = (exprKind: ExprKind): Expr => ({
  $typeName: "cel.expr.Expr",
  id: SYNTHETIC_ID,
  exprKind,
});

const constant = (constantKind: Constant["constantKind"]): Expr =>
  node({ case: "constExpr", value: { $typeName: "cel.expr.Constant", constantKind } });

// google.protobuf.NullValue has the single member NULL_VALUE = 0.
const NULL_VALUE: NullConstant["value"] = 0;

const INT64_MAX = 2n ** 63n - 1n;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Negative numbers are built as `-(n)` rather than a negative constant: the unparser prints a
 * negative constant bare, and `-3.f()` would re-parse as `-(3.f())`; for a negation it adds the
 * parentheses. In any other position it still prints `-3`, which re-parses as the constant.
 */
const negate = (operand: Expr | undefined): Expr | undefined =>
  operand &&
  node({
    case: "callExpr",
    value: { $typeName: "cel.expr.Expr.Call", function: "-_", args: [operand] },
  });

/**
 * The CEL literal for a JSON value, or undefined when CEL has no literal for it (non-finite
 * numbers, functions, …). Numbers follow the same rule as evaluation inputs (see values.ts):
 * safe integers become `int`, everything else `double`, so an interpolated expression compares
 * exactly like the original did.
 */
export const literalOf = (value: unknown, depth = 0): Expr | undefined => {
  if (depth > MAX_DEPTH) return undefined;
  if (value === null) return constant({ case: "nullValue", value: NULL_VALUE });
  switch (typeof value) {
    case "string":
      // CEL has no way to write a lone UTF-16 surrogate (\ud800 is rejected), so no literal.
      return LONE_SURROGATE.test(value) ? undefined : constant({ case: "stringValue", value });
    case "boolean":
      return constant({ case: "boolValue", value });
    case "number":
      if (value < 0) return negate(literalOf(-value));
      if (Number.isSafeInteger(value))
        return constant({ case: "int64Value", value: BigInt(value) });
      return Number.isFinite(value) ? constant({ case: "doubleValue", value }) : undefined;
    case "bigint":
      if (value < 0n) return negate(literalOf(-value));
      return value <= INT64_MAX ? constant({ case: "int64Value", value }) : undefined;
    case "object":
      return objectLiteral(value, depth);
    default:
      return undefined;
  }
};

const objectLiteral = (value: object, depth: number): Expr | undefined => {
  if (value instanceof Date) return literalOf(value.toJSON(), depth);
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    const elements: Expr[] = [];
    for (const item of items) {
      // JSON.stringify turns undefined array items into null; do the same.
      const element = literalOf(item ?? null, depth + 1);
      if (element === undefined) return undefined;
      elements.push(element);
    }
    return node({
      case: "listExpr",
      value: { $typeName: "cel.expr.Expr.CreateList", elements, optionalIndices: [] },
    });
  }
  const entries: Entry[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const literal = literalOf(item, depth + 1);
    if (literal === undefined) return undefined;
    entries.push({
      $typeName: "cel.expr.Expr.CreateStruct.Entry",
      id: SYNTHETIC_ID,
      keyKind: { case: "mapKey", value: constant({ case: "stringValue", value: key }) },
      value: literal,
      optionalEntry: false,
    });
  }
  return node({
    case: "structExpr",
    value: { $typeName: "cel.expr.Expr.CreateStruct", messageName: "", entries },
  });
};
