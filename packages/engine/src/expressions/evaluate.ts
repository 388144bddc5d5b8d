import { isCelError, type CelError, type CelInput, type CelValue } from "@bufbuild/cel";
import { childrenOf, type Expr } from "./ast.js";
import { compileExpression, positionOf, type CompiledExpression } from "./compile.js";
import { describeLocation, ExpressionError, quoteSource } from "./errors.js";
import { toCelInputUsed } from "./usage.js";
import { fromCel } from "./values.js";

/**
 * Variables an expression can read, as JSON data: `event` (the triggering event, or for waits and
 * cancels the run's first event), `async` (the candidate event of a wait/cancel), `events` (a batch).
 * Only the parts an expression reads are converted, on every call; nothing is retained.
 */
export interface ExpressionVars {
  readonly event?: unknown;
  readonly async?: unknown;
  readonly events?: unknown;
  readonly [name: string]: unknown;
}

export type EvaluationResult = { ok: true; value: unknown } | { ok: false; error: string };
export type MatchResult = { ok: true; value: boolean } | { ok: false; error: string };

/**
 * A failure carries a thunk: building the message (and the Error's stack) costs more than the
 * evaluation itself, and `matches` — the hot path when fanning an event out to waits — discards it.
 */
type Outcome = { ok: true; value: CelValue } | { ok: false; error: () => ExpressionError };

const run = (expression: CompiledExpression | string, vars: ExpressionVars): Outcome => {
  let compiled: CompiledExpression;
  try {
    compiled = typeof expression === "string" ? compileExpression(expression) : expression;
  } catch (error) {
    const source = typeof expression === "string" ? expression : expression.source;
    return { ok: false, error: () => asExpressionError(source, error) };
  }
  let result: CelValue | CelError;
  try {
    result = compiled.program(toBindings(compiled, vars));
  } catch (error) {
    // The evaluator reports failures as values; a throw is bad input data (a function, nesting
    // deeper than MAX_DEPTH) or a stack overflow.
    return { ok: false, error: () => evaluationError(compiled, describe(error), error) };
  }
  if (isCelError(result)) {
    const failure = result;
    return {
      ok: false,
      error: () => evaluationError(compiled, celErrorMessage(compiled, failure), failure),
    };
  }
  return { ok: true, value: result };
};

const toBindings = (
  compiled: CompiledExpression,
  vars: ExpressionVars,
): Record<string, CelInput> => {
  const bindings: Record<string, CelInput> = {};
  for (const [name, paths] of compiled.usage) {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    // An undefined variable stays unbound, so reading it fails instead of seeing null.
    if (value !== undefined) bindings[name] = toCelInputUsed(value, paths);
  }
  return bindings;
};

/** Evaluates to a plain JS value (see `fromCel`). Throws `ExpressionError` on any failure. */
export const evaluate = (
  expression: CompiledExpression | string,
  vars: ExpressionVars,
): unknown => {
  const outcome = run(expression, vars);
  if (!outcome.ok) throw outcome.error();
  return fromCel(outcome.value);
};

/** Like `evaluate`, but returns failures (invalid source, missing field, type error) as values. */
export const tryEvaluate = (
  expression: CompiledExpression | string,
  vars: ExpressionVars,
): EvaluationResult => {
  const outcome = run(expression, vars);
  return outcome.ok
    ? { ok: true, value: fromCel(outcome.value) }
    : { ok: false, error: outcome.error().message };
};

/**
 * For triggers, waits and cancels: `{ok: true, value}` when the expression produced a bool,
 * otherwise the reason it could not (for logging). Inngest treats every failure as "no match".
 */
export const tryMatch = (
  expression: CompiledExpression | string,
  vars: ExpressionVars,
): MatchResult => {
  const outcome = run(expression, vars);
  if (!outcome.ok) return { ok: false, error: outcome.error().message };
  if (typeof outcome.value === "boolean") return { ok: true, value: outcome.value };
  const source = typeof expression === "string" ? expression : expression.source;
  return {
    ok: false,
    error: `Expression ${quoteSource(source)} returned ${describeValue(outcome.value)}, expected true or false`,
  };
};

/** True only if the expression evaluates to boolean `true`; any failure is "no match". */
export const matches = (expression: CompiledExpression | string, vars: ExpressionVars): boolean => {
  const outcome = run(expression, vars);
  return outcome.ok && outcome.value === true;
};

const evaluationError = (
  compiled: CompiledExpression,
  detail: string,
  cause: unknown,
): ExpressionError =>
  new ExpressionError({
    kind: "evaluation",
    source: compiled.source,
    message: `Evaluating ${quoteSource(compiled.source)} failed: ${detail}`,
    cause,
  });

const asExpressionError = (source: string, error: unknown): ExpressionError =>
  error instanceof ExpressionError
    ? error
    : new ExpressionError({ kind: "syntax", source, message: describe(error), cause: error });

/** Adds what the evaluator leaves implicit: which variable was unbound, and where. */
const celErrorMessage = (compiled: CompiledExpression, error: CelError): string => {
  const node =
    error.exprId === undefined ? undefined : findNode(compiled.parsed.expr, error.exprId);
  if (node === undefined) return error.message;
  let message = error.message;
  if (node.exprKind.case === "identExpr" && message === "unresolved attribute") {
    message = `variable "${node.exprKind.value.name}" is not set`;
  }
  const location = positionOf(compiled.parsed, compiled.source, node);
  return location === undefined
    ? message
    : `${message} (at ${describeLocation(compiled.source, location)})`;
};

const findNode = (root: Expr, id: bigint): Expr | undefined => {
  const stack: Expr[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.id === id) return node;
    stack.push(...childrenOf(node));
  }
  return undefined;
};

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

const describeValue = (value: CelValue): string => {
  const plain = fromCel(value);
  const json = typeof plain === "bigint" ? plain.toString() : JSON.stringify(plain);
  const shown = json === undefined ? String(plain) : json;
  return shown.length > 80 ? `${shown.slice(0, 80)}…` : shown;
};
