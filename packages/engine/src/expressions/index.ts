/**
 * CEL expressions as Inngest uses them (spec §7.1, §7.2, §11): trigger `expression`s, wait and
 * cancel `if`s (with `event` and `async`), and keys. Compilation is cached; evaluation takes and
 * returns plain JSON-like values.
 */
export {
  compileExpression,
  createExpressionCompiler,
  DEFAULT_CACHE_ENTRIES,
  validateExpression,
  type CompiledExpression,
  type ExpressionCompiler,
} from "./compile.js";
export { ExpressionError, type ExpressionErrorKind, type SourceLocation } from "./errors.js";
export {
  evaluate,
  matches,
  tryEvaluate,
  tryMatch,
  type EvaluationResult,
  type ExpressionVars,
  type MatchResult,
} from "./evaluate.js";
export { interpolateEvent } from "./interpolate.js";
export {
  extractEqualityKey,
  readPath,
  type EqualityKey,
  type EqualityKeyValue,
} from "./equality-key.js";
export { isValidEventPattern, matchesEventName } from "./event-name.js";
