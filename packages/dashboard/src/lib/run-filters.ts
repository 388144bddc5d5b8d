import type { RunQuery, RunSelection } from "../api/client";
import { ACTIVE_STATUSES, RUN_STATUSES, type RunStatus } from "../api/types";

/** The runs list's filters, kept in the page URL so a filtered view can be shared or reloaded. */
export interface RunFilters {
  statuses: RunStatus[];
  functionId: string;
  /** A preset (`15m`, `1h`, `24h`, `7d`), `custom` (then `from`/`until`), or "" for any time. */
  range: string;
  from: string;
  until: string;
}

export const RANGES: { value: string; label: string; ms?: number }[] = [
  { value: "", label: "Any time" },
  { value: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "custom", label: "Custom range" },
];

const isStatus = (value: string): value is RunStatus =>
  RUN_STATUSES.some((status) => status === value);

export function readFilters(search: URLSearchParams): RunFilters {
  return {
    statuses: (search.get("status") ?? "").split(",").filter(isStatus),
    functionId: search.get("function") ?? "",
    range: search.get("range") ?? "",
    from: search.get("from") ?? "",
    until: search.get("until") ?? "",
  };
}

export function filtersToParams(filters: RunFilters): Record<string, string | undefined> {
  const custom = filters.range === "custom";
  return {
    status: filters.statuses.join(","),
    function: filters.functionId,
    range: filters.range,
    from: custom ? filters.from : undefined,
    until: custom ? filters.until : undefined,
  };
}

/** `from`/`until` as ISO times; presets are rolling windows ending now. */
export function timeWindow(filters: RunFilters, now: number): { from?: string; until?: string } {
  const preset = RANGES.find((range) => range.value === filters.range);
  if (preset?.ms !== undefined) return { from: new Date(now - preset.ms).toISOString() };
  if (filters.range !== "custom") return {};
  const toIso = (local: string) => {
    const at = Date.parse(local);
    return Number.isNaN(at) ? undefined : new Date(at).toISOString();
  };
  const from = toIso(filters.from);
  const until = toIso(filters.until);
  return { ...(from ? { from } : {}), ...(until ? { until } : {}) };
}

export function toRunQuery(filters: RunFilters, now: number): RunQuery {
  return {
    ...(filters.statuses.length > 0 ? { status: filters.statuses } : {}),
    ...(filters.functionId ? { functionId: filters.functionId } : {}),
    ...timeWindow(filters, now),
  };
}

export type BulkKind = "cancel" | "replay";

/**
 * What a bulk action applies to. Cancelling only touches active runs, so the selected
 * statuses are narrowed to Queued and Running; replay defaults to Failed runs, as the server.
 */
export function bulkSelection(
  kind: BulkKind,
  filters: RunFilters,
  now: number,
): { selection: RunSelection; statuses: RunStatus[] } {
  const picked = filters.statuses;
  const statuses =
    kind === "cancel"
      ? picked.length === 0
        ? [...ACTIVE_STATUSES]
        : picked.filter((status) => ACTIVE_STATUSES.includes(status))
      : picked.length === 0
        ? (["Failed"] satisfies RunStatus[])
        : [...picked];
  return {
    statuses,
    selection: {
      ...(filters.functionId ? { function_id: filters.functionId } : {}),
      status: statuses,
      ...timeWindow(filters, now),
    },
  };
}
