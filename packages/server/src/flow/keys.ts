import { tryEvaluate } from "@ingot/engine";

/**
 * Evaluates a flow-control `key` expression against the trigger event. No expression → one key
 * for the whole function. Values are JSON-encoded so `"1"` and `1` stay distinct; an expression
 * that fails to evaluate groups the event under `!error`, so it is still limited, not unlimited.
 */
export function flowKey(expression: string | undefined, event: Record<string, unknown>): string {
  if (expression === undefined || expression.trim() === "") return "";
  const result = tryEvaluate(expression, { event });
  if (!result.ok) return "!error";
  return typeof result.value === "string" ? result.value : JSON.stringify(toJson(result.value));
}

function toJson(value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}
