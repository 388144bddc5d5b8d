import { isRecord } from "../api/decode";
import type { HistoryEntry, RunDetail, Step } from "../api/types";
import { Card } from "../components/layout";
import { JsonView } from "../components/json-view";
import { EmptyState, ErrorState, Loading } from "../components/states";
import { useIngot } from "../context";
import { useResource } from "../hooks/use-resource";
import { formatPreciseTime, formatTime } from "../lib/format";
import { redactUrl } from "../lib/redact";
import { describeError } from "../lib/step-errors";
import { Link } from "../router";

/** The run's result: the return value, or the error it failed or was cancelled with. */
export function RunOutput({ run }: { run: RunDetail }) {
  if (run.status === "Queued" || run.status === "Running")
    return (
      <Card title="Output">
        <p className="muted">The run has not finished yet.</p>
      </Card>
    );
  if (run.status === "Completed")
    return (
      <Card title="Output">
        <JsonView value={run.output} label="Return value" />
      </Card>
    );
  const error =
    run.output === null || run.output === undefined ? undefined : describeError(run.output);
  return (
    <Card title={run.status === "Failed" ? "Error" : "Cancelled"} className="card-danger">
      {error ? (
        <>
          <p className="error-text">
            <strong>{error.name}</strong>: {error.message}
          </p>
          {error.stack ? (
            <details>
              <summary>Stack</summary>
              <pre className="stack-trace">{error.stack}</pre>
            </details>
          ) : null}
        </>
      ) : (
        <p className="muted">
          {run.status === "Cancelled" ? "The run was cancelled." : "No error recorded."}
        </p>
      )}
    </Card>
  );
}

/** The event that started the run, with its payload. */
export function TriggerEvent({ eventId }: { eventId: string | null }) {
  const { client } = useIngot();
  const event = useResource(async () => (eventId ? client.event(eventId) : undefined), [eventId]);
  return (
    <Card
      title="Trigger"
      actions={eventId ? <Link to={`/events/${eventId}`}>Open event →</Link> : null}
    >
      {eventId === null ? (
        <p className="muted">This run was not started by an event (cron or direct invoke).</p>
      ) : event.data ? (
        <>
          <p className="event-name mono">{event.data.name}</p>
          <JsonView value={event.data.data} label="Event data" />
        </>
      ) : event.error ? (
        <ErrorState error={event.error} onRetry={event.reload} />
      ) : (
        <Loading label="Loading the event" rows={2} />
      )}
    </Card>
  );
}

function describeEntry(entry: HistoryEntry): string {
  if (entry.type === "step.errored" || entry.type === "step.failed")
    return describeError(entry.data).message;
  if (entry.type === "step.sleep" && isRecord(entry.data) && typeof entry.data.until === "number")
    return `until ${formatTime(entry.data.until)}`;
  if (entry.type === "step.gateway" && isRecord(entry.data) && typeof entry.data.url === "string")
    return redactUrl(entry.data.url);
  return "";
}

/** Every history entry of the run, oldest first. */
export function RunHistory({ history, steps }: { history: HistoryEntry[]; steps: Step[] }) {
  const names = new Map(steps.map((step) => [step.step_id, step.name]));
  return (
    <Card title={`History (${history.length})`}>
      {history.length === 0 ? (
        <EmptyState title="No history yet" />
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" aria-label="Run history">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Entry</th>
                <th scope="col">Step</th>
                <th scope="col">Attempt</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {history.map((entry) => (
                <tr key={entry.id}>
                  <td className="mono small nowrap">{formatPreciseTime(entry.at)}</td>
                  <td className="mono small">{entry.type}</td>
                  <td>
                    {entry.step_id ? (names.get(entry.step_id) ?? entry.step_id.slice(0, 8)) : "—"}
                  </td>
                  <td>{entry.attempt === null ? "—" : entry.attempt + 1}</td>
                  <td className="small history-detail">{describeEntry(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
