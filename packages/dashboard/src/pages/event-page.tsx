import { useState } from "react";
import { ApiError } from "../api/client";
import { isActive } from "../api/types";
import { CopyButton } from "../components/copy-button";
import { JsonView } from "../components/json-view";
import { Card, PageHeader } from "../components/layout";
import { RunsTable } from "../components/runs-table";
import { SendEventDialog } from "../components/send-event-dialog";
import { EmptyState, ErrorState, Loading } from "../components/states";
import { useIngot } from "../context";
import { useResource } from "../hooks/use-resource";
import { formatTime } from "../lib/format";
import { Link } from "../router";

/** One event: its payload and the runs it started (refreshed while any is going). */
export function EventPage({ eventId }: { eventId: string }) {
  const { client } = useIngot();
  const event = useResource(() => client.event(eventId), [eventId]);
  const runs = useResource(() => client.eventRuns(eventId), [eventId], { intervalMs: 1000 });
  const [resending, setResending] = useState(false);

  if (!event.data) {
    if (event.error instanceof ApiError && event.error.status === 404)
      return (
        <EmptyState title="Event not found" icon="?">
          <p>
            No event has the ID <code>{eventId}</code>. <Link to="/events">Back to events</Link>
          </p>
        </EmptyState>
      );
    if (event.error) return <ErrorState error={event.error} onRetry={event.reload} />;
    return <Loading label="Loading the event" rows={5} />;
  }
  const data = event.data;
  const copy = JSON.stringify({ name: data.name, data: data.data }, null, 2);
  const going = runs.data?.some((run) => isActive(run.status)) ?? false;
  return (
    <>
      <PageHeader
        back={{ to: "/events", label: "Events" }}
        title={<span className="mono">{data.name}</span>}
        subtitle={
          <span className="run-subtitle">
            <span className="mono">{data.id}</span>
            <CopyButton text={data.id} label="Copy event ID" />
            <span className="muted">received {formatTime(data.received_at)}</span>
          </span>
        }
        actions={
          <button type="button" className="button" onClick={() => setResending(true)}>
            Send a copy…
          </button>
        }
      />
      <div className="run-grid">
        <Card
          title={<>Runs started{going ? <span className="live-dot" aria-label="live" /> : null}</>}
        >
          {runs.data ? (
            <RunsTable
              runs={runs.data}
              label="Runs started by this event"
              empty={
                data.functions_triggered === 0 ? (
                  <EmptyState title="No function matched" icon="∅">
                    <p>
                      Ingot routed this event {data.routed_at ? formatTime(data.routed_at) : ""} and
                      no synced function is triggered by <code>{data.name}</code> (or its{" "}
                      <code>if</code> expression). Sync the app that handles it, then send the event
                      again.
                    </p>
                  </EmptyState>
                ) : (
                  <EmptyState title="No runs" icon="▶">
                    <p>
                      {data.routed_at === null || data.routed_at === undefined
                        ? "Ingot has not routed this event yet."
                        : "Its runs have not started yet (flow control may be holding them)."}
                    </p>
                  </EmptyState>
                )
              }
            />
          ) : runs.error ? (
            <ErrorState error={runs.error} onRetry={runs.reload} />
          ) : (
            <Loading label="Loading runs" rows={2} />
          )}
        </Card>
        <div className="stack">
          <Card title="Payload">
            <JsonView value={data.data} label="data" />
          </Card>
          <Card title="Details">
            <dl className="definition-list">
              <dt>Timestamp (ts)</dt>
              <dd>{formatTime(data.ts)}</dd>
              <dt>User</dt>
              <dd className="mono small">{JSON.stringify(data.user ?? {})}</dd>
              <dt>Version (v)</dt>
              <dd>{data.v ?? "—"}</dd>
            </dl>
          </Card>
        </div>
      </div>
      {resending ? (
        <SendEventDialog open onClose={() => setResending(false)} initial={copy} />
      ) : null}
    </>
  );
}
