/**
 * Mixed int/double arithmetic. Standard CEL refuses `1 + 1.5` ("no matching overload"); with JSON
 * data that is a trap, because whether `event.data.price` arrives as an int or a double depends on
 * whether the sender's value happened to be whole (`2` vs `2.5`). Comparisons are already
 * heterogeneous in @bufbuild/cel; these overloads make `+ - * /` behave the same way, promoting
 * to double. `%` stays int-only, as in CEL.
 */
import { celFunc, CelScalar, type CelFunc } from "@bufbuild/cel";

const { INT, DOUBLE } = CelScalar;

type Arithmetic = (left: number, right: number) => number;

const OPERATORS: ReadonlyArray<readonly [name: string, apply: Arithmetic]> = [
  ["_+_", (left, right) => left + right],
  ["_-_", (left, right) => left - right],
  ["_*_", (left, right) => left * right],
  ["_/_", (left, right) => left / right],
];

export const mixedArithmetic = (): CelFunc[] =>
  OPERATORS.flatMap(([name, apply]) => [
    celFunc(name, [INT, DOUBLE], DOUBLE, (left, right) => apply(Number(left), right)),
    celFunc(name, [DOUBLE, INT], DOUBLE, (left, right) => apply(left, Number(right))),
  ]);
