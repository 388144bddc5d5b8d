import type { IngotFunction } from "../api/types";
import { Card, PageHeader } from "../components/layout";
import { EmptyState, ErrorState, Loading, StaleBanner } from "../components/states";
import { Triggers } from "../components/triggers";
import { useFunctions } from "../context";
import { flowControl, retriesOf } from "../lib/flow-control";
import { Link, navigate } from "../router";

function FunctionRows({ functions, label }: { functions: IngotFunction[]; label: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Function</th>
            <th scope="col">Triggers</th>
            <th scope="col">Flow control</th>
            <th scope="col" className="numeric">
              Retries
            </th>
          </tr>
        </thead>
        <tbody>
          {functions.map((fn) => (
            <tr
              key={fn.id}
              className="clickable"
              data-function-id={fn.id}
              onClick={(event) => {
                if (event.target instanceof HTMLElement && event.target.closest("a")) return;
                navigate(`/functions/${fn.id}`);
              }}
            >
              <td>
                <span className="function-cell">
                  <Link to={`/functions/${fn.id}`} className="strong-link">
                    {fn.name}
                  </Link>
                  <span className="muted small mono">{fn.id}</span>
                </span>
              </td>
              <td>
                <Triggers triggers={fn.triggers} />
              </td>
              <td>
                <div className="tag-list">
                  {flowControl(fn.config).map((setting) => (
                    <span key={setting.kind} className="tag" title={setting.value}>
                      {setting.label}
                    </span>
                  ))}
                </div>
              </td>
              <td className="numeric">{retriesOf(fn.config)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function FunctionsPage() {
  const { list, error, reload } = useFunctions();
  const active = (list ?? []).filter((fn) => fn.archived_at === null);
  const archived = (list ?? []).filter((fn) => fn.archived_at !== null);
  const apps = [...new Set(active.map((fn) => fn.app_id))].sort();
  return (
    <>
      <PageHeader
        title="Functions"
        subtitle="What each synced app registered: triggers and configuration."
      />
      {list ? (
        <>
          <StaleBanner error={error} />
          {active.length === 0 ? (
            <Card>
              <EmptyState title="No functions" icon="ƒ">
                <p>
                  Functions appear when an app is synced. <Link to="/apps">Sync an app</Link>.
                </p>
              </EmptyState>
            </Card>
          ) : (
            apps.map((app) => (
              <Card
                key={app}
                title={
                  <>
                    App <span className="mono">{app}</span>
                  </>
                }
              >
                <FunctionRows
                  functions={active.filter((fn) => fn.app_id === app)}
                  label={`Functions of ${app}`}
                />
              </Card>
            ))
          )}
          {archived.length > 0 ? (
            <details className="card archived">
              <summary>
                Archived functions ({archived.length}) — no longer registered; they do not trigger
              </summary>
              <FunctionRows functions={archived} label="Archived functions" />
            </details>
          ) : null}
        </>
      ) : error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : (
        <Loading label="Loading functions" rows={4} />
      )}
    </>
  );
}
