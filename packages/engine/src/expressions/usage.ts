/**
 * Which parts of each variable an expression reads. Converting JSON to CEL values costs time in
 * proportion to its size (≈170 µs for an event with 200 small keys vs ≈5 µs for a 5-key one), and
 * `event.data.user == async.data.user` reads two strings; so evaluation converts only the
 * subtrees on the paths the expression uses.
 *
 * Sound because every way CEL can observe a value shows up in the AST as an access chain ending at
 * that value (`size(event.data)`, `event.data[async.k]`, `"k" in event.data`, macros over
 * `event.data.items`): the whole subtree at a chain's end is converted; only sibling keys that no
 * chain reaches are left out.
 */
import { celMap, type CelInput } from "@bufbuild/cel";
import { childrenOf, readAccessChain, type Call, type Expr } from "./ast.js";
import { isJsonObject, MAX_DEPTH, ownValue, toCelInput } from "./values.js";

/** The fields of a variable an expression reads; `full` means the whole value at this point. */
export interface UsedPaths {
  full: boolean;
  readonly fields: Map<string, UsedPaths>;
}

/** Type names can appear as identifiers (`type(x) == string`) without being variables. */
const TYPE_IDENTIFIERS = new Set([
  "bool",
  "bytes",
  "double",
  "dyn",
  "int",
  "list",
  "map",
  "null_type",
  "string",
  "type",
  "uint",
]);

/**
 * Root variables (excluding macro iteration variables) mapped to the paths read from each.
 * `isNamespace` tells which calls are `ns.fn(…)` (e.g. strings.quote), whose target is not data.
 */
export const collectUsage = (
  root: Expr,
  isNamespace: (call: Call) => boolean,
): ReadonlyMap<string, UsedPaths> => {
  const usage = new Map<string, UsedPaths>();
  const visit = (expr: Expr, bound: ReadonlySet<string>): void => {
    const chain = readAccessChain(expr);
    if (chain !== undefined) {
      if (bound.has(chain.root) || TYPE_IDENTIFIERS.has(chain.root)) return;
      let node = usage.get(chain.root);
      if (node === undefined) usage.set(chain.root, (node = emptyPaths()));
      // A list index ends the path: the list is converted whole, which keeps indexing exact.
      for (const segment of chain.segments) {
        if (node.full || typeof segment !== "string") break;
        let next = node.fields.get(segment);
        if (next === undefined) node.fields.set(segment, (next = emptyPaths()));
        node = next;
      }
      node.full = true;
      return;
    }
    const kind = expr.exprKind;
    if (kind.case === "comprehensionExpr") {
      const c = kind.value;
      const inLoop = new Set([...bound, c.iterVar, c.iterVar2, c.accuVar]);
      for (const part of [c.iterRange, c.accuInit]) if (part) visit(part, bound);
      for (const part of [c.loopCondition, c.loopStep]) if (part) visit(part, inLoop);
      if (c.result) visit(c.result, new Set([...bound, c.accuVar]));
      return;
    }
    if (kind.case === "callExpr" && isNamespace(kind.value)) {
      for (const arg of kind.value.args) visit(arg, bound);
      return;
    }
    for (const child of childrenOf(expr)) visit(child, bound);
  };
  visit(root, new Set());
  return usage;
};

const emptyPaths = (): UsedPaths => ({ full: false, fields: new Map() });

/** Converts the parts of `value` listed in `paths`; see the module comment for why it is exact. */
export const toCelInputUsed = (value: unknown, paths: UsedPaths, depth = 0): CelInput => {
  if (paths.full || !isJsonObject(value) || value instanceof Date) return toCelInput(value, depth);
  if (depth > MAX_DEPTH) throw new RangeError(`data nested deeper than ${MAX_DEPTH} levels`);
  const map = new Map<string, CelInput>();
  for (const [field, below] of paths.fields) {
    const item = ownValue(value, field);
    if (item !== undefined) map.set(field, toCelInputUsed(item, below, depth + 1));
  }
  return celMap(map);
};
