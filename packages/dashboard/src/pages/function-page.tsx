import { Fragment, useState } from "react";
import type { IngotFunction } from "../api/types";
import { BulkActionDialog } from "../components/bulk-action-dialog";
import { InvokeDialog } from "../components/invoke-dialog";
import { JsonView } from "../components/json-view";
import { Card, PageHeader } from "../components/layout";
import { RunsTable } from "../components/runs-table";
import { EmptyState, ErrorState, Loading } from "../components/states";
import { Triggers } from "../components/triggers";
import { useFunctions, useIngot } from "../context";
import { useResource } from "../hooks/use-resource";
import { formatTime } from "../lib/format";
import { flowControl, retriesOf, runtimeUrl } from "../lib/flow-control";
import type { BulkKind, RunFilters } from "../lib/run-filters";
import { Link, withQuery } from "../router";

function Configuration({ fn }: { fn: IngotFunction }) {
  const settings = flowControl(fn.config);
  return (
    <Card title="Configuration">
      <dl className="definition-list">
        <dt>Triggers</dt>
        <dd>
          <Triggers triggers={fn.triggers} />
        </dd>
        <dt>Retries</dt>
        <dd>
          {retriesOf(fn.config)} (up to {retriesOf(fn.config) + 1} attempts per step)
        </dd>
        {settings.map((setting) => (
          <Fragment key={setting.kind}>
            <dt>{setting.label}</dt>
            <dd className="mono small">{setting.value}</dd>
          </Fragment>
        ))}
        <dt>URL</dt>
        <dd className="mono small break">{runtimeUrl(fn.config) ?? "—"}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(fn.updated_at)}</dd>
      </dl>
      {settings.length === 0 ? (
        <p className="muted small">No flow control: runs start as soon as they are triggered.</p>
      ) : null}
      <details>
        <summary>Registered configuration (JSON)</summary>
        <JsonView value={fn.config} label="Function configuration" />
      </details>
    </Card>
  );
}

function RecentRuns({ fn }: { fn: IngotFunction }) {
  const { client } = useIngot();
  const runs = useResource(() => client.runs({ functionId: fn.id, limit: 20 }), [fn.id], {
    intervalMs: 1000,
  });
  return (
    <Card
      title="Recent runs"
      actions={
        <Link to={withQuery("/runs", { function: fn.id })}>All runs of this function →</Link>
      }
    >
      {runs.data ? (
        <RunsTable
          runs={runs.data.data}
          hideFunction
          label={`Recent runs of ${fn.name}`}
          empty={
            <EmptyState title="No runs yet" icon="▶">
              <p>Send a matching event or invoke the function.</p>
            </EmptyState>
          }
        />
      ) : runs.error ? (
        <ErrorState error={runs.error} onRetry={runs.reload} />
      ) : (
        <Loading label="Loading runs" rows={3} />
      )}
    </Card>
  );
}

export function FunctionPage({ functionId }: { functionId: string }) {
  const { list, byId, error, reload } = useFunctions();
  const [invoking, setInvoking] = useState(false);
  const [bulk, setBulk] = useState<BulkKind>();
  const fn = byId(functionId);
  if (!fn) {
    if (list)
      return (
        <EmptyState title="Function not found" icon="?">
          <p>
            No function has the ID <code>{functionId}</code>.{" "}
            <Link to="/functions">Back to functions</Link>
          </p>
        </EmptyState>
      );
    return error ? (
      <ErrorState error={error} onRetry={reload} />
    ) : (
      <Loading label="Loading the function" rows={4} />
    );
  }
  const filters: RunFilters = { statuses: [], functionId: fn.id, range: "", from: "", until: "" };
  return (
    <>
      <PageHeader
        back={{ to: "/functions", label: "Functions" }}
        title={fn.name}
        subtitle={
          <span className="run-subtitle">
            <span className="mono">{fn.id}</span>
            <span className="muted">app</span> <span className="mono">{fn.app_id}</span>
            {fn.archived_at ? <span className="badge badge-muted">archived</span> : null}
          </span>
        }
        actions={
          <>
            <button type="button" className="button" onClick={() => setBulk("replay")}>
              Replay failed…
            </button>
            <button
              type="button"
              className="button button-danger-outline"
              onClick={() => setBulk("cancel")}
            >
              Cancel running…
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setInvoking(true)}
              disabled={fn.archived_at !== null}
            >
              Invoke…
            </button>
          </>
        }
      />
      <div className="run-grid">
        <RecentRuns fn={fn} />
        <Configuration fn={fn} />
      </div>
      {invoking ? <InvokeDialog fn={fn} onClose={() => setInvoking(false)} /> : null}
      {bulk ? (
        <BulkActionDialog kind={bulk} filters={filters} onClose={() => setBulk(undefined)} />
      ) : null}
    </>
  );
}
