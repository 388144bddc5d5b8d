import { type FormEvent, useEffect, useId, useState } from "react";
import { ApiError } from "../api/client";
import type { IngotEvent, Run } from "../api/types";
import { Card } from "../components/layout";
import { RunsTable } from "../components/runs-table";
import { EmptyState, ErrorState, Loading } from "../components/states";
import { useIngot } from "../context";
import { useResource } from "../hooks/use-resource";
import { Link, navigate } from "../router";

const notFound = (error: unknown) => error instanceof ApiError && error.status === 404;

type Found =
  | { kind: "run"; run: Run }
  | { kind: "event"; id: string; event: IngotEvent | undefined; runs: Run[] }
  | { kind: "none" };

/** The search box of the runs page: a run id opens the run, an event id lists its runs. */
export function RunSearchBox({ query, onSearch }: { query: string; onSearch(q: string): void }) {
  const [text, setText] = useState(query);
  const id = useId();
  useEffect(() => setText(query), [query]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form className="search" role="search" onSubmit={submit}>
      <label htmlFor={id} className="visually-hidden">
        Search by run ID or event ID
      </label>
      <input
        id={id}
        className="input search-input"
        type="search"
        placeholder="Run ID or event ID"
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}

export function RunSearchResults({ query, onClear }: { query: string; onClear(): void }) {
  const { client } = useIngot();
  const found = useResource<Found>(async () => {
    try {
      return { kind: "run", run: await client.run(query) };
    } catch (error) {
      if (!notFound(error)) throw error;
    }
    const [event, runs] = await Promise.all([
      client.event(query).catch((error: unknown) => {
        if (notFound(error)) return undefined;
        throw error;
      }),
      client.eventRuns(query),
    ]);
    if (!event && runs.length === 0) return { kind: "none" };
    return { kind: "event", id: query, event, runs };
  }, [query]);

  useEffect(() => {
    if (found.data?.kind === "run") navigate(`/runs/${found.data.run.run_id}`, { replace: true });
  }, [found.data]);

  const clear = (
    <button type="button" className="link-button" onClick={onClear}>
      Clear search
    </button>
  );
  const result = found.data;
  return (
    <Card
      title={
        <>
          Search: <span className="mono">{query}</span>
        </>
      }
      actions={clear}
    >
      {found.error ? (
        <ErrorState error={found.error} onRetry={found.reload} />
      ) : !result || result.kind === "run" ? (
        <Loading label="Searching" rows={2} />
      ) : result.kind === "none" ? (
        <EmptyState title="Nothing found" icon="?">
          <p>
            No run and no event has the ID <code>{query}</code>.
          </p>
        </EmptyState>
      ) : (
        <>
          <p>
            Event{" "}
            <Link to={`/events/${result.id}`} className="mono">
              {result.event?.name ?? result.id}
            </Link>{" "}
            started {result.runs.length} run{result.runs.length === 1 ? "" : "s"}:
          </p>
          <RunsTable
            runs={result.runs}
            label="Runs started by the event"
            empty={<p className="muted">This event did not start any run.</p>}
          />
        </>
      )}
    </Card>
  );
}
