import { isValidEventPattern, validateExpression } from "@ingot/engine";
import {
  ErrorCode,
  type FunctionConfig,
  IngotError,
  isEventTrigger,
  parseDurationMs,
} from "@ingot/protocol";
import { validateCron } from "../flow/cron.js";

/** What is wrong with a registration; `expression` problems are invalid expressions. */
interface Problem {
  text: string;
  expression?: true;
}

/** Durations and expressions of the flow-control options (spec §7.1). */
function flowProblems(fn: FunctionConfig): Problem[] {
  const problems: Problem[] = [];
  const duration = (field: string, value: string | undefined): void => {
    if (value !== undefined && parseDurationMs(value) === undefined) {
      problems.push({
        text: `${fn.id}.${field}: "${value}" is not a duration like "10s", "5m" or "1h"`,
      });
    }
  };
  const expression = (field: string, value: string | undefined): void => {
    const error = value ? validateExpression(value) : undefined;
    if (error) problems.push({ text: `${fn.id}.${field}: ${error}`, expression: true });
  };
  expression("idempotency", fn.idempotency);
  duration("rateLimit.period", fn.rateLimit?.period);
  expression("rateLimit.key", fn.rateLimit?.key);
  duration("throttle.period", fn.throttle?.period);
  expression("throttle.key", fn.throttle?.key);
  duration("debounce.period", fn.debounce?.period);
  duration("debounce.timeout", fn.debounce?.timeout);
  expression("debounce.key", fn.debounce?.key);
  duration("batchEvents.timeout", fn.batchEvents?.timeout);
  expression("batchEvents.key", fn.batchEvents?.key);
  expression("batchEvents.if", fn.batchEvents?.if);
  expression("priority.run", fn.priority?.run);
  duration("timeouts.start", fn.timeouts?.start);
  duration("timeouts.finish", fn.timeouts?.finish);
  expression("singleton.key", fn.singleton?.key);
  const concurrency = fn.concurrency;
  const items =
    concurrency === undefined || typeof concurrency === "number"
      ? []
      : Array.isArray(concurrency)
        ? concurrency
        : [concurrency];
  if (items.length > 2)
    problems.push({ text: `${fn.id}.concurrency: at most two limits are supported` });
  items.forEach((item, index) => expression(`concurrency[${index}].key`, item.key));
  return problems;
}

/**
 * Rejects configs we could not run, naming the function and field. The code is
 * `invalid_expression` when every problem is an expression that does not parse (docs/api.md),
 * `invalid_request` otherwise.
 */
export function validateFunctions(functions: readonly FunctionConfig[]): void {
  const problems = functions.flatMap((fn, index) => [
    ...(functions.findIndex((other) => other.id === fn.id) < index
      ? [{ text: `function "${fn.id}" is listed twice` }]
      : []),
    ...functionProblems(fn),
  ]);
  if (problems.length === 0) return;
  const code = problems.every((problem) => problem.expression)
    ? ErrorCode.InvalidExpression
    : ErrorCode.InvalidRequest;
  throw new IngotError(
    code,
    `At least one function is invalid: ${problems.map((problem) => problem.text).join("; ")}`,
  );
}

function functionProblems(fn: FunctionConfig): Problem[] {
  const problems: Problem[] = [];
  const expression = (where: string, value: string | undefined): void => {
    const error = value ? validateExpression(value) : undefined;
    if (error) problems.push({ text: `${where}: ${error}`, expression: true });
  };
  if (!fn.steps.step && Object.keys(fn.steps).length === 0)
    problems.push({ text: `${fn.id}: expected a step with a runtime URL` });
  fn.triggers.forEach((trigger, index) => {
    const where = `${fn.id}.triggers[${index}]`;
    if (!isEventTrigger(trigger)) {
      const error = validateCron(trigger.cron);
      if (error) problems.push({ text: `${where}.cron: ${error}` });
      return;
    }
    if (!isValidEventPattern(trigger.event))
      problems.push({
        text: `${where}.event: "${trigger.event}" is not a valid event name or pattern`,
      });
    expression(`${where}.expression`, trigger.expression);
  });
  (fn.cancel ?? []).forEach((cancel, index) =>
    expression(`${fn.id}.cancel[${index}].if`, cancel.if),
  );
  problems.push(...flowProblems(fn));
  return problems;
}
