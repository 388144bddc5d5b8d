/**
 * `has(m.f)` for maps. @bufbuild/cel 0.6.1 answers it with `map.get(f) != undefined`, so a key
 * whose value is JSON null reads as absent — but `{"x": null}` has `x`, in the CEL spec and in
 * cel-go (Inngest's server). Compiled programs therefore see each presence test rewritten into a
 * call of our own function, which checks the key and reports an error for non-maps as the spec
 * says (0.6.1 answers false for strings and lists).
 */
import { celFunc, CelScalar, celType, isCelMap, type CelFunc } from "@bufbuild/cel";
import { childrenOf, literalOf, type Expr } from "./ast.js";

/** Starts with "@", which the parser never produces for user-written calls. */
const PRESENCE_FUNCTION = "@ingot_has";

export const presenceFunction = (): CelFunc =>
  celFunc(
    PRESENCE_FUNCTION,
    [CelScalar.DYN, CelScalar.STRING],
    CelScalar.BOOL,
    (operand, field) => {
      if (isCelMap(operand)) return operand.get(field) !== undefined;
      // Thrown errors become CEL errors of this call, i.e. "no match" for a trigger.
      throw new Error(`has() looks up a field of a map, but got a ${celType(operand).name}`);
    },
  );

/** Rewrites, in place, every `has(x.f)` in a private copy of the AST into `@ingot_has(x, "f")`. */
export const rewritePresenceTests = (expr: Expr): void => {
  const kind = expr.exprKind;
  if (kind.case === "selectExpr" && kind.value.testOnly && kind.value.operand !== undefined) {
    const field = literalOf(kind.value.field);
    if (field !== undefined) {
      // Keeping the node id keeps error positions pointing at the has() in the source.
      expr.exprKind = {
        case: "callExpr",
        value: {
          $typeName: "cel.expr.Expr.Call",
          function: PRESENCE_FUNCTION,
          args: [kind.value.operand, field],
        },
      };
    }
  }
  for (const child of childrenOf(expr)) rewritePresenceTests(child);
};
