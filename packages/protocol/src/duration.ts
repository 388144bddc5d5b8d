/**
 * Durations as the SDK writes them (spec §7.1): `"1m"`, `"2h30m10s"`, `"1w"`, `"500ms"`, or an
 * ISO-8601 date for absolute times (`sleepUntil`, `waitForEvent` with a Date timeout).
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/y;

/** Parses a duration string into milliseconds; `undefined` when it is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const source = text.trim();
  if (source === "") return undefined;
  if (/^\d+$/.test(source)) return undefined; // a bare number has no unit; refuse to guess
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < source.length) {
    const start = PART.lastIndex;
    const match = PART.exec(source);
    if (!match || match.index !== start) return undefined;
    const unit = UNIT_MS[match[2] ?? ""];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
  }
  return Math.round(total);
}

/** `2030-01-01`, `2030-01-01T00:00:00.000Z`, `2030-01-01T00:00:00+02:00` */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export type TimeSpec = { kind: "duration"; ms: number } | { kind: "absolute"; at: number };

/**
 * Parses what a `Sleep` name or a wait timeout may hold: a duration, or (for strings of 10+
 * characters, as Go's server does) an absolute date.
 */
export function parseTimeSpec(text: string): TimeSpec | undefined {
  const ms = parseDurationMs(text);
  if (ms !== undefined) return { kind: "duration", ms };
  if (text.length >= 10 && ISO_DATE.test(text.trim())) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return { kind: "absolute", at };
  }
  return undefined;
}

/** Resolves a time spec to an absolute epoch-ms instant, relative to `now`. */
export function resolveTimeSpec(spec: TimeSpec, now: number): number {
  return spec.kind === "duration" ? now + spec.ms : spec.at;
}
