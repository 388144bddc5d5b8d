import type { ReactNode } from "react";
import type { Run } from "../api/types";
import { useFunctions } from "../context";
import { useNow } from "../hooks/use-now";
import { durationBetween, formatDuration, shortId } from "../lib/format";
import { Link, navigate } from "../router";
import { RelativeTime } from "./relative-time";
import { RunStatusBadge } from "./status-badge";

interface RunsTableProps {
  runs: Run[];
  label: string;
  /** Hide the function column (on a function's own page). */
  hideFunction?: boolean;
  empty: ReactNode;
}

/** Runs, newest first: status, function, id, start and duration (live while running). */
export function RunsTable({ runs, label, hideFunction, empty }: RunsTableProps) {
  const now = useNow(1000);
  const { nameOf } = useFunctions();
  if (runs.length === 0) return <>{empty}</>;
  return (
    <div className="table-wrap">
      <table className="table runs-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Status</th>
            {hideFunction ? null : <th scope="col">Function</th>}
            <th scope="col">Run</th>
            <th scope="col">Started</th>
            <th scope="col" className="numeric">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const ms = durationBetween(run.run_started_at, run.ended_at, now);
            return (
              <tr
                key={run.run_id}
                className="clickable"
                data-run-id={run.run_id}
                onClick={(event) => {
                  if (!(event.target instanceof HTMLElement) || event.target.closest("a")) return;
                  navigate(`/runs/${run.run_id}`);
                }}
              >
                <td>
                  <RunStatusBadge status={run.status} />
                </td>
                {hideFunction ? null : (
                  <td>
                    <span className="function-cell">
                      <Link to={`/runs/${run.run_id}`} className="strong-link">
                        {nameOf(run.function_id)}
                      </Link>
                      <span className="muted small mono">{run.app_id}</span>
                    </span>
                  </td>
                )}
                <td className="mono">
                  <Link to={`/runs/${run.run_id}`} title={run.run_id}>
                    {hideFunction ? run.run_id : shortId(run.run_id)}
                  </Link>
                </td>
                <td>
                  <RelativeTime iso={run.run_started_at} />
                </td>
                <td className="numeric mono">
                  {ms === null ? "—" : formatDuration(ms)}
                  {run.ended_at === null && run.status === "Running" ? (
                    <span className="muted"> …</span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
