import { celEnv, parse, plan, type CelEnv, type CelInput, type CelResult } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { childrenOf, type Call, type Expr, type ParsedExpr } from "./ast.js";
import {
  describeLocation,
  ExpressionError,
  locationAt,
  quoteSource,
  type SourceLocation,
} from "./errors.js";
import { LruCache } from "./lru.js";
import { findUnterminatedString } from "./syntax-hints.js";
import { mixedArithmetic } from "./numeric.js";
import { presenceFunction, rewritePresenceTests } from "./presence.js";
import { collectUsage, type UsedPaths } from "./usage.js";

export type Program = (bindings: Record<string, CelInput>) => CelResult;

/** A compiled expression, shared through the cache. Treat `parsed` as read-only. */
export interface CompiledExpression {
  readonly source: string;
  /** Root variables the expression reads (`event`, `async`, …), not macro iteration variables. */
  readonly variables: ReadonlySet<string>;
  /** Per variable, the paths the expression reads; evaluation converts only those. */
  readonly usage: ReadonlyMap<string, UsedPaths>;
  readonly program: Program;
  /** The AST with source positions (for equality keys and error locations). */
  readonly parsed: ParsedExpr;
}

class Compiled implements CompiledExpression {
  readonly source: string;
  readonly variables: ReadonlySet<string>;
  readonly usage: ReadonlyMap<string, UsedPaths>;
  readonly program: Program;
  #parsed: ParsedExpr | undefined;

  constructor(source: string, usage: ReadonlyMap<string, UsedPaths>, program: Program) {
    this.source = source;
    this.usage = usage;
    this.variables = new Set(usage.keys());
    this.program = program;
  }

  /**
   * Parsed again on first use rather than kept from compilation: the AST is as large as the plan
   * (≈2 KB vs ≈4 KB for `event.data.user == async.data.user`) and most cached expressions, trigger
   * filters, never need it.
   */
  get parsed(): ParsedExpr {
    return (this.#parsed ??= parseSource(this.source));
  }
}

export interface ExpressionCompiler {
  /** Returns the cached compilation of `source`; throws `ExpressionError` if it is invalid. */
  compile(source: string): CompiledExpression;
  readonly size: number;
  clear(): void;
}

/**
 * An entry costs ≈6 KB for an SDK-generated match expression and ≈11 KB for one with a macro and
 * three clauses (measured), so a full cache holds 30–55 MB; 5,000 covers every trigger, cancel
 * and wait expression of a large deployment. Inngest's Go server keeps up to 50,000.
 */
export const DEFAULT_CACHE_ENTRIES = 5_000;

let sharedEnv: CelEnv | undefined;
/** Built on first use rather than at import time. */
const expressionEnv = (): CelEnv =>
  (sharedEnv ??= celEnv({ funcs: [...strings, ...mixedArithmetic(), presenceFunction()] }));

export const createExpressionCompiler = (options?: { maxEntries?: number }): ExpressionCompiler => {
  // Invalid sources are cached too: a bad trigger expression is otherwise re-parsed per event.
  const cache = new LruCache<string, CompiledExpression | ExpressionError>(
    options?.maxEntries ?? DEFAULT_CACHE_ENTRIES,
  );
  return {
    compile(source) {
      let entry = cache.get(source);
      if (entry === undefined) {
        entry = compileUncached(source);
        cache.set(source, entry);
      }
      if (entry instanceof ExpressionError) throw entry;
      return entry;
    },
    get size() {
      return cache.size;
    },
    clear() {
      cache.clear();
    },
  };
};

let sharedCompiler: ExpressionCompiler | undefined;
const defaultCompiler = (): ExpressionCompiler => (sharedCompiler ??= createExpressionCompiler());

/** Compiles `source` through the shared cache. Throws `ExpressionError` (`kind: "syntax"`). */
export const compileExpression = (source: string): CompiledExpression =>
  defaultCompiler().compile(source);

/**
 * The error message for an invalid expression, or undefined if it compiles. With `variables`, also
 * rejects references to any other root variable (e.g. a typo like `evnt.data.x`).
 */
export const validateExpression = (
  source: string,
  options?: { variables?: readonly string[] },
): string | undefined => {
  let compiled: CompiledExpression;
  try {
    compiled = compileExpression(source);
  } catch (error) {
    return error instanceof ExpressionError ? error.message : String(error);
  }
  const allowed = options?.variables;
  if (allowed === undefined) return undefined;
  const unknown = [...compiled.variables].filter((name) => !allowed.includes(name));
  if (unknown.length === 0) return undefined;
  const names = unknown.map((name) => `"${name}"`).join(", ");
  return `Invalid expression ${quoteSource(source)}: unknown variable ${names}; expressions here can use ${allowed.join(", ")}`;
};

const compileUncached = (source: string): CompiledExpression | ExpressionError => {
  if (source.trim() === "") {
    return new ExpressionError({
      kind: "syntax",
      source,
      message:
        "Invalid expression: it is empty; write a CEL expression such as event.data.ok == true",
    });
  }
  let parsed: ParsedExpr;
  try {
    parsed = parseSource(source);
  } catch (error) {
    return syntaxError(source, error);
  }
  const env = expressionEnv();
  const problem = findUnknownFunction(parsed.expr, env);
  if (problem !== undefined) {
    const location = positionOf(parsed, source, problem.node);
    return new ExpressionError({
      kind: "syntax",
      source,
      location,
      message: `Invalid expression ${quoteSource(source)}${
        location === undefined ? "" : ` at ${describeLocation(source, location)}`
      }: ${problem.message}`,
    });
  }
  try {
    const usage = collectUsage(parsed.expr, (call) => isNamespacedCall(call, env));
    // From here on the tree belongs to the program.
    rewritePresenceTests(parsed.expr);
    return new Compiled(source, usage, plan(env, parsed.expr));
  } catch (error) {
    return syntaxError(source, error);
  }
};

/**
 * @bufbuild/cel 0.6.1 rejects a `// comment` on the last line unless a newline follows it. A
 * trailing newline changes nothing else (offsets stay the same), so add one when it could help.
 */
export const parseSource = (source: string): ParsedExpr =>
  parse(source.includes("//") && !source.endsWith("\n") ? `${source}\n` : source);

const syntaxError = (source: string, error: unknown): ExpressionError => {
  const unclosed = findUnterminatedString(source);
  const offset = unclosed ?? errorOffset(error);
  const location = offset === undefined ? undefined : locationAt(source, offset);
  // The parser prefixes "<input>:line:col: "; we say where in words instead.
  const detail =
    unclosed === undefined
      ? (error instanceof Error ? error.message : String(error)).replace(/^<input>:\d+:\d+:\s*/, "")
      : "unterminated string literal; close it with the quote it starts with";
  const where = location === undefined ? "" : ` at ${describeLocation(source, location)}`;
  return new ExpressionError({
    kind: "syntax",
    source,
    location,
    cause: error,
    message: `Invalid expression ${quoteSource(source)}${where}: ${detail}`,
  });
};

/** The peggy parser's errors carry `location.start.offset`. */
const errorOffset = (error: unknown): number | undefined => {
  if (typeof error !== "object" || error === null || !("location" in error)) return undefined;
  const { location } = error;
  if (typeof location !== "object" || location === null || !("start" in location)) return undefined;
  const { start } = location;
  if (typeof start !== "object" || start === null || !("offset" in start)) return undefined;
  return typeof start.offset === "number" ? start.offset : undefined;
};

export const positionOf = (
  parsed: ParsedExpr,
  source: string,
  node: Expr,
): SourceLocation | undefined => {
  const offset = parsed.sourceInfo?.positions[node.id.toString()];
  return offset === undefined ? undefined : locationAt(source, offset);
};

/** Calls the planner resolves itself rather than through the function table. */
const BUILTIN_CALLS = new Set([
  "_&&_",
  "_||_",
  "_?_:_",
  "_[_]",
  "_[?_]",
  "_?._",
  "@not_strictly_false",
  "__not_strictly_false__",
]);

/** A macro called with the wrong arguments is left as a plain call by the parser. */
const MACROS = new Map([
  ["has", "has() takes a field selection, e.g. has(event.data.x)"],
  ["all", "all() takes an identifier and a predicate, e.g. list.all(x, x > 0)"],
  ["exists", "exists() takes an identifier and a predicate, e.g. list.exists(x, x > 0)"],
  [
    "exists_one",
    "exists_one() takes an identifier and a predicate, e.g. list.exists_one(x, x > 0)",
  ],
  ["map", "map() takes an identifier and an expression, e.g. list.map(x, x * 2)"],
  ["filter", "filter() takes an identifier and a predicate, e.g. list.filter(x, x > 0)"],
]);

/**
 * The evaluator only reports an unknown function when it reaches the call, i.e. per event at run
 * time. Checking names here turns a typo such as `startWith` into an error at sync time.
 */
const findUnknownFunction = (
  root: Expr,
  env: CelEnv,
): { node: Expr; message: string } | undefined => {
  const stack: Expr[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const kind = node.exprKind;
    if (kind.case === "callExpr" && !isKnownCall(kind.value, env)) {
      const name = kind.value.function;
      const message =
        MACROS.get(name) ??
        `unknown function ${name}(); check the spelling (CEL names are case-sensitive)`;
      return { node, message };
    }
    stack.push(...childrenOf(node));
  }
  return undefined;
};

const isKnownCall = (call: Call, env: CelEnv): boolean =>
  BUILTIN_CALLS.has(call.function) ||
  env.funcs.find(call.function) !== undefined ||
  isNamespacedCall(call, env);

/** Namespaced functions such as strings.quote(x) parse as a method call on an identifier. */
const isNamespacedCall = (call: Call, env: CelEnv): boolean => {
  const namespace = call.target === undefined ? undefined : qualifiedName(call.target);
  return namespace !== undefined && env.funcs.find(`${namespace}.${call.function}`) !== undefined;
};

const qualifiedName = (expr: Expr): string | undefined => {
  const kind = expr.exprKind;
  if (kind.case === "identExpr") return kind.value.name;
  if (kind.case !== "selectExpr" || kind.value.operand === undefined) return undefined;
  const prefix = qualifiedName(kind.value.operand);
  return prefix === undefined ? undefined : `${prefix}.${kind.value.field}`;
};
