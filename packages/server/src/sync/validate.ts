import { isValidEventPattern, validateExpression } from "@ingot/engine";
import {
  ErrorCode,
  type FunctionConfig,
  IngotError,
  isEventTrigger,
  parseDurationMs,
} from "@ingot/protocol";
import { validateCron } from "../flow/cron.js";

/** Durations and expressions of the flow-control options (spec §7.1). */
function flowProblems(fn: FunctionConfig): string[] {
  const problems: string[] = [];
  const duration = (field: string, value: string | undefined): void => {
    if (value !== undefined && parseDurationMs(value) === undefined) {
      problems.push(`${fn.id}.${field}: "${value}" is not a duration like "10s", "5m" or "1h"`);
    }
  };
  const expression = (field: string, value: string | undefined): void => {
    const error = value ? validateExpression(value) : undefined;
    if (error) problems.push(`${fn.id}.${field}: ${error}`);
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
  if (items.length > 2) problems.push(`${fn.id}.concurrency: at most two limits are supported`);
  items.forEach((item, index) => expression(`concurrency[${index}].key`, item.key));
  return problems;
}

/** Rejects configs we could not run, naming the function and field. */
export function validateFunctions(functions: readonly FunctionConfig[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const fn of functions) {
    if (seen.has(fn.id)) problems.push(`function "${fn.id}" is listed twice`);
    seen.add(fn.id);
    if (!fn.steps.step && Object.keys(fn.steps).length === 0)
      problems.push(`${fn.id}: expected a step with a runtime URL`);
    fn.triggers.forEach((trigger, index) => {
      const where = `${fn.id}.triggers[${index}]`;
      if (!isEventTrigger(trigger)) {
        const error = validateCron(trigger.cron);
        if (error) problems.push(`${where}.cron: ${error}`);
      }
      if (isEventTrigger(trigger)) {
        if (!isValidEventPattern(trigger.event))
          problems.push(`${where}.event: "${trigger.event}" is not a valid event name or pattern`);
        const error = trigger.expression ? validateExpression(trigger.expression) : undefined;
        if (error) problems.push(`${where}.expression: ${error}`);
      }
    });
    for (const [index, cancel] of (fn.cancel ?? []).entries()) {
      const error = cancel.if ? validateExpression(cancel.if) : undefined;
      if (error) problems.push(`${fn.id}.cancel[${index}].if: ${error}`);
    }
    problems.push(...flowProblems(fn));
  }
  if (problems.length > 0) {
    throw new IngotError(
      ErrorCode.InvalidRequest,
      `At least one function is invalid: ${problems.join("; ")}`,
    );
  }
}
