import { useState } from "react";
import { BulkActionDialog } from "../components/bulk-action-dialog";
import { Card, PageHeader } from "../components/layout";
import { RunFilterBar } from "../components/run-filter-bar";
import { RunsTable } from "../components/runs-table";
import { LoadMore } from "../components/load-more";
import { EmptyState, ErrorState, Loading, StaleBanner } from "../components/states";
import { useLivePages } from "../hooks/use-live-pages";
import { useIngot } from "../context";
import {
  type BulkKind,
  filtersToParams,
  readFilters,
  type RunFilters,
  toRunQuery,
} from "../lib/run-filters";
import { navigate, useLocation, withQuery } from "../router";
import { RunSearchBox, RunSearchResults } from "./run-search";

export function RunsPage() {
  const { search } = useLocation();
  const filters = readFilters(search);
  const query = search.get("q") ?? "";
  const [bulk, setBulk] = useState<BulkKind>();
  const setFilters = (next: RunFilters) =>
    navigate(withQuery("/runs", { ...filtersToParams(next), q: query }), { replace: true });
  const setQuery = (q: string) =>
    navigate(withQuery("/runs", { ...filtersToParams(filters), q }), { replace: q === "" });

  const key = JSON.stringify(filtersToParams(filters));
  const { client } = useIngot();
  const pages = useLivePages({
    load: (cursor) =>
      client.runs({ ...toRunQuery(filters, Date.now()), ...(cursor ? { cursor } : {}), limit: 50 }),
    idOf: (run) => run.run_id,
    key,
  });
  const filtered = filters.statuses.length > 0 || filters.functionId !== "" || filters.range !== "";

  return (
    <>
      <PageHeader
        title="Runs"
        subtitle="Every function run, newest first. Updates live."
        actions={
          <>
            <button type="button" className="button" onClick={() => setBulk("replay")}>
              Bulk replay…
            </button>
            <button
              type="button"
              className="button button-danger-outline"
              onClick={() => setBulk("cancel")}
            >
              Bulk cancel…
            </button>
          </>
        }
      />
      <div className="card filter-card">
        <RunSearchBox query={query} onSearch={setQuery} />
        <RunFilterBar filters={filters} onChange={setFilters} />
      </div>
      {query ? <RunSearchResults query={query} onClear={() => setQuery("")} /> : null}
      <Card>
        {pages.items ? (
          <>
            <StaleBanner error={pages.first.error} />
            <RunsTable
              runs={pages.items}
              label="Runs"
              empty={
                <EmptyState
                  title={filtered ? "No runs match these filters" : "No runs yet"}
                  icon="▶"
                >
                  <p>
                    {filtered
                      ? "Try another status, function or time range."
                      : "Runs appear here as soon as an event triggers a function."}
                  </p>
                </EmptyState>
              }
            />
            <LoadMore
              hasMore={pages.hasMore}
              loading={pages.loadingMore}
              error={pages.moreError}
              onLoad={pages.loadMore}
              label="Load older runs"
            />
          </>
        ) : pages.first.error ? (
          <ErrorState error={pages.first.error} onRetry={pages.first.reload} />
        ) : (
          <Loading label="Loading runs" rows={6} />
        )}
      </Card>
      {bulk ? (
        <BulkActionDialog
          kind={bulk}
          filters={filters}
          onClose={() => setBulk(undefined)}
          onDone={pages.first.reload}
        />
      ) : null}
    </>
  );
}
