import { Cron } from "croner";

/**
 * Cron triggers as the SDK registers them (spec §7.1): `"0 12 * * 5"`, optionally prefixed with
 * `TZ=Europe/Paris ` (or `CRON_TZ=`). Returns the next tick strictly after `after`, or undefined
 * for an invalid expression.
 */
export function nextTick(spec: string, after: number): number | undefined {
  const { timezone, pattern } = parseCron(spec);
  if (!hasFieldCount(pattern)) return undefined;
  try {
    const cron = new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) });
    const next = cron.nextRun(new Date(after));
    return next ? next.getTime() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Five fields, six with seconds first (Ingot runs those: tests and demos want ticks faster than a
 * minute), or a macro (`@daily`). croner also takes a seventh field (years), which no Inngest SDK
 * documents: refused, so that what syncs here syncs elsewhere.
 */
function hasFieldCount(pattern: string): boolean {
  if (pattern.startsWith("@")) return !/\s/.test(pattern);
  const fields = pattern.split(/\s+/).length;
  return fields === 5 || fields === 6;
}

export function parseCron(spec: string): { timezone?: string; pattern: string } {
  const match = /^\s*(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(spec);
  if (match?.[1] && match[2] !== undefined) return { timezone: match[1], pattern: match[2].trim() };
  return { pattern: spec.trim() };
}

export function validateCron(spec: string): string | undefined {
  return nextTick(spec, Date.UTC(2000, 0, 1)) === undefined
    ? `"${spec}" is not a valid cron expression: expected five fields (minute hour day month weekday), or six with seconds first, or a macro such as @daily; optionally "TZ=<zone> " first`
    : undefined;
}
