import { Card } from "../components/layout";
import { RelativeTime } from "../components/relative-time";
import { EmptyState, ErrorState, Loading } from "../components/states";
import { useIngot } from "../context";
import { useResource } from "../hooks/use-resource";
import { formatCount, formatUsd } from "../lib/format";
import { Link } from "../router";

/** The side column of the overview: apps and their sync state, and AI usage by model. */
export function AppsSummary() {
  const { client } = useIngot();
  const apps = useResource(() => client.apps(), [], { intervalMs: 5000 });
  const usage = useResource(
    () => client.aiUsage("model", new Date(Date.now() - 86_400_000).toISOString()),
    [],
    { intervalMs: 5000 },
  );
  return (
    <div className="stack">
      <Card title="Apps" actions={<Link to="/apps">Manage →</Link>}>
        {apps.data ? (
          apps.data.length === 0 ? (
            <EmptyState title="No apps synced" icon="▣">
              <p>
                Start your app with <code>INNGEST_DEV={window.location.origin}</code> and{" "}
                <Link to="/apps">add its URL</Link>.
              </p>
            </EmptyState>
          ) : (
            <ul className="mini-list">
              {apps.data.map((app) => (
                <li key={app.id}>
                  <span
                    className={`dot ${app.error ? "dot-danger" : "dot-success"}`}
                    aria-hidden="true"
                  />
                  <span className="mini-main">
                    <strong>{app.id}</strong>
                    <span className="muted small">
                      {formatCount(app.function_count)} functions · synced{" "}
                      <RelativeTime iso={app.synced_at} />
                    </span>
                  </span>
                  <span className="sr-status">{app.error ? "Sync error" : "Synced"}</span>
                </li>
              ))}
            </ul>
          )
        ) : apps.error ? (
          <ErrorState error={apps.error} onRetry={apps.reload} />
        ) : (
          <Loading label="Loading apps" rows={2} />
        )}
      </Card>
      <Card title="AI usage · 24 h">
        {usage.data ? (
          usage.data.length === 0 ? (
            <p className="muted small">
              No model calls yet. <code>step.ai.infer</code> calls made through Ingot's gateway show
              up here with tokens and cost.
            </p>
          ) : (
            <table className="table table-compact" aria-label="AI usage by model">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col" className="numeric">
                    Calls
                  </th>
                  <th scope="col" className="numeric">
                    Tokens
                  </th>
                  <th scope="col" className="numeric">
                    Cost
                  </th>
                </tr>
              </thead>
              <tbody>
                {usage.data.map((row) => (
                  <tr key={row.key ?? "unknown"}>
                    <td className="mono">{row.key ?? "unknown"}</td>
                    <td className="numeric">{formatCount(row.calls)}</td>
                    <td className="numeric">{formatCount(row.input_tokens + row.output_tokens)}</td>
                    <td className="numeric">{formatUsd(row.cost_usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : usage.error ? (
          <ErrorState error={usage.error} onRetry={usage.reload} />
        ) : (
          <Loading label="Loading AI usage" rows={2} />
        )}
      </Card>
    </div>
  );
}
