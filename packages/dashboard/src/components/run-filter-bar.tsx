import { useId } from "react";
import { RUN_STATUSES, type RunStatus } from "../api/types";
import { useFunctions } from "../context";
import { RANGES, type RunFilters } from "../lib/run-filters";

interface RunFilterBarProps {
  filters: RunFilters;
  onChange(next: RunFilters): void;
}

/** Status (several at once), function and time range of the runs list. */
export function RunFilterBar({ filters, onChange }: RunFilterBarProps) {
  const { list } = useFunctions();
  const id = useId();
  const toggle = (status: RunStatus) => {
    const has = filters.statuses.includes(status);
    const statuses = has
      ? filters.statuses.filter((value) => value !== status)
      : RUN_STATUSES.filter((value) => value === status || filters.statuses.includes(value));
    onChange({ ...filters, statuses });
  };
  const active = filters.statuses.length > 0 || filters.functionId !== "" || filters.range !== "";
  return (
    <div className="filter-bar">
      <fieldset className="chip-group">
        <legend className="field-label">Status</legend>
        {RUN_STATUSES.map((status) => (
          <label key={status} className={`chip chip-${status.toLowerCase()}`}>
            <input
              type="checkbox"
              checked={filters.statuses.includes(status)}
              onChange={() => toggle(status)}
            />
            <span>{status}</span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-fn`} className="field-label">
          Function
        </label>
        <select
          id={`${id}-fn`}
          className="input"
          value={filters.functionId}
          onChange={(event) => onChange({ ...filters, functionId: event.target.value })}
        >
          <option value="">All functions</option>
          {(list ?? []).map((fn) => (
            <option key={fn.id} value={fn.id}>
              {fn.name}
              {fn.archived_at ? " (archived)" : ""}
            </option>
          ))}
          {filters.functionId && list && !list.some((fn) => fn.id === filters.functionId) ? (
            <option value={filters.functionId}>{filters.functionId}</option>
          ) : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-range`} className="field-label">
          Created
        </label>
        <select
          id={`${id}-range`}
          className="input"
          value={filters.range}
          onChange={(event) => onChange({ ...filters, range: event.target.value })}
        >
          {RANGES.map((range) => (
            <option key={range.value} value={range.value}>
              {range.label}
            </option>
          ))}
        </select>
      </div>
      {filters.range === "custom" ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-from`} className="field-label">
              From
            </label>
            <input
              id={`${id}-from`}
              className="input"
              type="datetime-local"
              step={1}
              value={filters.from}
              onChange={(event) => onChange({ ...filters, from: event.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-until`} className="field-label">
              Until
            </label>
            <input
              id={`${id}-until`}
              className="input"
              type="datetime-local"
              step={1}
              value={filters.until}
              onChange={(event) => onChange({ ...filters, until: event.target.value })}
            />
          </div>
        </>
      ) : null}
      {active ? (
        <button
          type="button"
          className="link-button filter-clear"
          onClick={() => onChange({ statuses: [], functionId: "", range: "", from: "", until: "" })}
        >
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
