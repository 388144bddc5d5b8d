/** Display formats shared by every page. Pure functions of their input (and `now`). */

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1) return "<1 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${Math.floor(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function formatRelative(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "—";
  const diff = now - at;
  const future = diff < 0;
  const seconds = Math.abs(diff) / 1000;
  const text =
    seconds < 5
      ? "just now"
      : seconds < 60
        ? `${Math.floor(seconds)}s`
        : seconds < 3600
          ? `${Math.floor(seconds / 60)}m`
          : seconds < 86_400
            ? `${Math.floor(seconds / 3600)}h`
            : `${Math.floor(seconds / 86_400)}d`;
  if (text === "just now") return text;
  return future ? `in ${text}` : `${text} ago`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

const preciseFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
});

export function formatTime(iso: string | number | null): string {
  if (iso === null) return "—";
  const at = typeof iso === "number" ? iso : Date.parse(iso);
  return Number.isNaN(at) ? "—" : timeFormat.format(at);
}

/** Time of day to the millisecond, for steps and attempts that are milliseconds apart. */
export function formatPreciseTime(iso: string | number | null): string {
  if (iso === null) return "—";
  const at = typeof iso === "number" ? iso : Date.parse(iso);
  return Number.isNaN(at) ? "—" : preciseFormat.format(at);
}

export function formatUsd(value: number | null): string {
  if (value === null) return "—";
  if (value === 0) return "$0";
  if (value >= 1) return `$${value.toFixed(2)}`;
  if (value >= 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(6).replace(/0+$/, "")}`;
}

export function formatCount(value: number | null): string {
  return value === null ? "—" : value.toLocaleString("en-US");
}

/** The last characters of a ULID: unique enough to tell runs apart at a glance. */
export function shortId(id: string): string {
  return id.length > 10 ? `…${id.slice(-8)}` : id;
}

export function durationBetween(
  startIso: string | null,
  endIso: string | null,
  now: number,
): number | null {
  if (startIso === null) return null;
  const start = Date.parse(startIso);
  const end = endIso === null ? now : Date.parse(endIso);
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
}
