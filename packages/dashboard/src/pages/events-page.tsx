import { type FormEvent, useId, useState } from "react";
import type { IngotEvent } from "../api/types";
import { Card, PageHeader } from "../components/layout";
import { LoadMore } from "../components/load-more";
import { RelativeTime } from "../components/relative-time";
import { SendEventDialog } from "../components/send-event-dialog";
import { EmptyState, ErrorState, Loading, StaleBanner } from "../components/states";
import { useIngot } from "../context";
import { useLivePages } from "../hooks/use-live-pages";
import { shortId } from "../lib/format";
import { Link, navigate, useLocation, withQuery } from "../router";

/** Events Ingot emits itself (`inngest/function.finished`, …): shown dimmed, or hidden on request. */
export const isInternal = (event: IngotEvent) => event.name.startsWith("inngest/");

function preview(data: Record<string, unknown>): string {
  const text = JSON.stringify(data);
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

function EventsTable({ events }: { events: IngotEvent[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Events">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Event</th>
            <th scope="col">Data</th>
            <th scope="col">Received</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr
              key={event.id}
              className={`clickable${isInternal(event) ? " internal" : ""}`}
              data-event-id={event.id}
              onClick={(click) => {
                if (click.target instanceof HTMLElement && click.target.closest("a")) return;
                navigate(`/events/${event.id}`);
              }}
            >
              <td>
                <Link to={`/events/${event.id}`} className="strong-link mono">
                  {event.name}
                </Link>
              </td>
              <td className="mono muted" title={event.id}>
                {shortId(event.id)}
              </td>
              <td className="mono small data-preview">
                {event.functions_triggered === 0 && !isInternal(event) ? (
                  <span className="badge badge-warning" data-unmatched="true">
                    no function
                  </span>
                ) : null}{" "}
                {preview(event.data)}
              </td>
              <td className="nowrap">
                <RelativeTime iso={event.received_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NameFilter({ name }: { name: string }) {
  const [text, setText] = useState(name);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(withQuery("/events", { name: text.trim() }), { replace: true });
  };
  return (
    <form className="search" role="search" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        Event name
      </label>
      <input
        id={id}
        className="input search-input"
        type="search"
        placeholder="Filter by exact event name, e.g. app/user.created"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button">
        Filter
      </button>
    </form>
  );
}

export function EventsPage() {
  const { client } = useIngot();
  const { search } = useLocation();
  const name = search.get("name") ?? "";
  const [sending, setSending] = useState(false);
  const [hideInternal, setHideInternal] = useState(false);
  const pages = useLivePages({
    load: (cursor) => client.events({ name: name || undefined, cursor, limit: 50 }),
    idOf: (event) => event.id,
    key: name,
  });
  const shown = pages.items?.filter((event) => !hideInternal || !isInternal(event));
  const hidden = (pages.items?.length ?? 0) - (shown?.length ?? 0);

  return (
    <>
      <PageHeader
        title="Events"
        subtitle="Every event received, newest first. Updates live."
        actions={
          <button type="button" className="button button-primary" onClick={() => setSending(true)}>
            Send event
          </button>
        }
      />
      <div className="toolbar">
        <NameFilter key={name} name={name} />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={hideInternal}
            onChange={(event) => setHideInternal(event.target.checked)}
          />
          Hide Ingot's own <code>inngest/…</code> events{hidden > 0 ? ` (${hidden} hidden)` : ""}
        </label>
      </div>
      <Card>
        {shown ? (
          <>
            <StaleBanner error={pages.first.error} />
            {shown.length === 0 && hidden > 0 ? (
              <EmptyState title="Only Ingot's own events here" icon="⚡">
                <p>
                  The {hidden} newest events are all <code>inngest/…</code> events.{" "}
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setHideInternal(false)}
                  >
                    Show them
                  </button>{" "}
                  or load older events below.
                </p>
              </EmptyState>
            ) : shown.length === 0 ? (
              <EmptyState
                title={name ? `No "${name}" events` : "No events yet"}
                icon="⚡"
                action={
                  <button
                    type="button"
                    className="button button-primary"
                    onClick={() => setSending(true)}
                  >
                    Send an event
                  </button>
                }
              >
                <p>
                  Apps send events with <code>inngest.send()</code>; each one starts the functions
                  it triggers.
                </p>
              </EmptyState>
            ) : (
              <EventsTable events={shown} />
            )}
            <LoadMore
              hasMore={pages.hasMore}
              loading={pages.loadingMore}
              error={pages.moreError}
              onLoad={pages.loadMore}
              label="Load older events"
            />
          </>
        ) : pages.first.error ? (
          <ErrorState error={pages.first.error} onRetry={pages.first.reload} />
        ) : (
          <Loading label="Loading events" rows={6} />
        )}
      </Card>
      <SendEventDialog open={sending} onClose={() => setSending(false)} />
    </>
  );
}
