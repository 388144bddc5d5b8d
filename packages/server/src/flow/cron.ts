import { Cron } from "croner";

/**
 * Cron triggers as the SDK registers them (spec §7.1): `"0 12 * * 5"`, optionally prefixed with
 * `TZ=Europe/Paris ` (or `CRON_TZ=`). Returns the next tick strictly after `after`, or undefined
 * for an invalid expression.
 */
export function nextTick(spec: string, after: number): number | undefined {
  const { timezone, pattern } = parseCron(spec);
  try {
    const cron = new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) });
    const next = cron.nextRun(new Date(after));
    return next ? next.getTime() : undefined;
  } catch {
    return undefined;
  }
}

export function parseCron(spec: string): { timezone?: string; pattern: string } {
  const match = /^\s*(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(spec);
  if (match?.[1] && match[2] !== undefined) return { timezone: match[1], pattern: match[2].trim() };
  return { pattern: spec.trim() };
}

export function validateCron(spec: string): string | undefined {
  return nextTick(spec, Date.UTC(2000, 0, 1)) === undefined
    ? `"${spec}" is not a valid cron expression (five fields, optionally "TZ=<zone> " first)`
    : undefined;
}
