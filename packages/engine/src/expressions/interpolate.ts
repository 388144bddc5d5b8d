/**
 * Interpolation of `event.*` references, as Inngest's Go server does when it creates a wait: the
 * stored expression then refers only to `async` (the candidate event), so matching needs no copy
 * of the run's trigger event and equality keys can be read off it (see equality-key.ts).
 *
 * Works on the AST and prints it back with @bufbuild/cel's unparser, so string literals that
 * merely contain the text "event.data.x" are untouched and values are escaped by the same code
 * that defines CEL's string syntax.
 */
import { unparse } from "@bufbuild/cel";
import {
  childrenOf,
  literalOf,
  readAccessChain,
  type AccessChain,
  type Expr,
  type PathSegment,
} from "./ast.js";
import { compileExpression, parseSource } from "./compile.js";
import { isJsonObject, ownValue } from "./values.js";

const EVENT = "event";

/**
 * Replaces every reference to `event` / `event.<path>` with the CEL literal of that value in
 * `event`, and `has(event.<path>)` with `true`/`false`.
 *
 * A reference whose path does not exist in `event` (or whose value has no CEL literal) is left as
 * written. Evaluating the result without `event` bound then fails with "variable not set", i.e. no
 * match — the same outcome as evaluating the original against this event, where the missing field
 * is an error. (Substituting `null` instead would make `null == async.data.x` match candidates
 * whose field is null, which the original expression never does.)
 *
 * Throws `ExpressionError` if `source` is not a valid expression. Returns `source` unchanged when
 * nothing was substituted, so formatting survives in the common `async`-only case.
 */
export const interpolateEvent = (source: string, event: unknown): string => {
  // Validates (and caches) the source; its AST is shared, so rewrite a private parse instead.
  if (!compileExpression(source).variables.has(EVENT)) return source;
  const parsed = parseSource(source);
  const replaced = new Map<string, Expr>();
  substitute(parsed.expr, new Set(), event, replaced);
  if (replaced.size === 0) return source;
  // The unparser prints macros (has, exists, map, …) from `macroCalls`, which hold their own
  // copies of the arguments; apply the same replacements there, matched by node id.
  const macroCalls = parsed.sourceInfo?.macroCalls ?? {};
  for (const [id, call] of Object.entries(macroCalls)) {
    const literal = replaced.get(id);
    if (literal === undefined) replaceById(call, replaced);
    else macroCalls[id] = literal;
  }
  return escapeControlCharacters(unparse(parsed));
};

/**
 * The unparser writes control characters other than \n, \t, … raw. Expressions are stored as
 * text (a NUL cannot go into a Postgres TEXT column) and logged, so spell them as \u escapes.
 * Outside string literals the unparser never emits control characters, so this only touches the
 * insides of literals, where the escape means the same character.
 */
const escapeControlCharacters = (text: string): string =>
  text.replace(
    /[\u0000-\u001f\u007f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

const substitute = (
  expr: Expr,
  bound: ReadonlySet<string>,
  event: unknown,
  replaced: Map<string, Expr>,
): void => {
  const chain = readAccessChain(expr);
  if (chain !== undefined) {
    // A chain holds nothing but constants below its root, so there is nothing else to visit.
    if (chain.root !== EVENT || bound.has(EVENT)) return;
    const literal = resolve(chain, event);
    if (literal !== undefined) {
      expr.exprKind = literal.exprKind;
      replaced.set(expr.id.toString(), literal);
    }
    return;
  }
  const kind = expr.exprKind;
  if (kind.case === "comprehensionExpr") {
    // A macro variable named `event` shadows the real one inside the loop.
    const c = kind.value;
    const inLoop = new Set([...bound, c.iterVar, c.iterVar2, c.accuVar]);
    for (const part of [c.iterRange, c.accuInit])
      if (part) substitute(part, bound, event, replaced);
    for (const part of [c.loopCondition, c.loopStep]) {
      if (part) substitute(part, inLoop, event, replaced);
    }
    if (c.result) substitute(c.result, new Set([...bound, c.accuVar]), event, replaced);
    return;
  }
  for (const child of childrenOf(expr)) substitute(child, bound, event, replaced);
};

const replaceById = (expr: Expr, replaced: ReadonlyMap<string, Expr>): void => {
  const literal = replaced.get(expr.id.toString());
  if (literal !== undefined) {
    expr.exprKind = literal.exprKind;
    return;
  }
  for (const child of childrenOf(expr)) replaceById(child, replaced);
};

const resolve = (chain: AccessChain, event: unknown): Expr | undefined => {
  const last = chain.segments.length - 1;
  let value = event;
  for (const [index, segment] of chain.segments.entries()) {
    if (chain.testOnly && index === last) {
      // has() on a map tests the key; on anything else CEL reports an error, so leave it be.
      if (!isJsonObject(value) || typeof segment !== "string") return undefined;
      return literalOf(ownValue(value, segment) !== undefined);
    }
    value = step(value, segment);
    if (value === undefined) return undefined;
  }
  return literalOf(value);
};

/** One access with CEL's rules: fields on objects, integer indexes on arrays, nothing else. */
const step = (value: unknown, segment: PathSegment): unknown => {
  if (typeof segment === "number") {
    if (!Array.isArray(value)) return undefined;
    const items: readonly unknown[] = value;
    return items[segment];
  }
  return isJsonObject(value) ? ownValue(value, segment) : undefined;
};
