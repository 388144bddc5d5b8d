import { useState } from "react";
import type { IngotClient, RunQuery } from "../api/client";
import { Card, PageHeader } from "../components/layout";
import { RunsTable } from "../components/runs-table";
import { SendEventDialog } from "../components/send-event-dialog";
import { EmptyState, ErrorState, Loading, StaleBanner } from "../components/states";
import { useIngot, useFunctions } from "../context";
import { useResource } from "../hooks/use-resource";
import { formatCount, formatUsd } from "../lib/format";
import { Link, withQuery } from "../router";
import { AppsSummary } from "./home-apps";

const DAY_MS = 86_400_000;

async function countRuns(client: IngotClient, query: RunQuery): Promise<string> {
  const page = await client.runs({ ...query, limit: 500 });
  return page.cursor ? "500+" : formatCount(page.data.length);
}

async function loadStats(client: IngotClient) {
  const from = new Date(Date.now() - DAY_MS).toISOString();
  const [active, failed, completed, usage] = await Promise.all([
    countRuns(client, { status: ["Queued", "Running"] }),
    countRuns(client, { status: ["Failed"], from }),
    countRuns(client, { status: ["Completed"], from }),
    client.aiUsage("model", from),
  ]);
  const cost = usage.reduce((sum, row) => sum + row.cost_usd, 0);
  const tokens = usage.reduce((sum, row) => sum + row.input_tokens + row.output_tokens, 0);
  const calls = usage.reduce((sum, row) => sum + row.calls, 0);
  return { active, failed, completed, cost, tokens, calls, from };
}

function Stat(props: {
  label: string;
  value: string;
  to?: string;
  tone?: string;
  detail?: string;
}) {
  const body = (
    <>
      <span className="stat-label">{props.label}</span>
      <span className={`stat-value${props.tone ? ` tone-${props.tone}` : ""}`}>{props.value}</span>
      {props.detail ? <span className="stat-detail">{props.detail}</span> : null}
    </>
  );
  return props.to ? (
    <Link to={props.to} className="stat">
      {body}
    </Link>
  ) : (
    <div className="stat">{body}</div>
  );
}

function Stats() {
  const { client } = useIngot();
  const stats = useResource(() => loadStats(client), [], { intervalMs: 3000 });
  const data = stats.data;
  return (
    <div className="stats" aria-label="Last 24 hours" role="group" aria-busy={stats.loading}>
      <Stat
        label="Running now"
        value={data?.active ?? "…"}
        to={withQuery("/runs", { status: "Queued,Running" })}
        tone="info"
      />
      <Stat
        label="Completed · 24 h"
        value={data?.completed ?? "…"}
        to={withQuery("/runs", { status: "Completed", range: "24h" })}
        tone="success"
      />
      <Stat
        label="Failed · 24 h"
        value={data?.failed ?? "…"}
        to={withQuery("/runs", { status: "Failed", range: "24h" })}
        tone={data?.failed === "0" ? undefined : "danger"}
      />
      <Stat
        label="AI spend · 24 h"
        value={data ? formatUsd(data.cost) : "…"}
        detail={
          data ? `${formatCount(data.calls)} calls · ${formatCount(data.tokens)} tokens` : undefined
        }
      />
    </div>
  );
}

function RecentRuns({ onSend }: { onSend(): void }) {
  const { client } = useIngot();
  const runs = useResource(() => client.runs({ limit: 15 }), [], { intervalMs: 1000 });
  const { list } = useFunctions();
  return (
    <Card
      title={
        <>
          Recent runs <span className="live-dot" title="Updates live" aria-label="live" />
        </>
      }
      actions={<Link to="/runs">All runs →</Link>}
    >
      {runs.data ? (
        <>
          <StaleBanner error={runs.error} />
          <RunsTable
            runs={runs.data.data}
            label="Recent runs"
            empty={
              <EmptyState
                title="No runs yet"
                icon="▶"
                action={
                  <button type="button" className="button button-primary" onClick={onSend}>
                    Send an event
                  </button>
                }
              >
                <p>
                  {list && list.length > 0
                    ? "Runs appear here the moment an event triggers one of your functions."
                    : "Sync an app on the Apps page, then send an event that one of its functions listens to."}
                </p>
              </EmptyState>
            }
          />
        </>
      ) : runs.error ? (
        <ErrorState error={runs.error} onRetry={runs.reload} />
      ) : (
        <Loading label="Loading runs" rows={5} />
      )}
    </Card>
  );
}

export function HomePage() {
  const [sending, setSending] = useState(false);
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle="What this Ingot server is doing, live."
        actions={
          <button type="button" className="button button-primary" onClick={() => setSending(true)}>
            Send event
          </button>
        }
      />
      <Stats />
      <div className="home-grid">
        <RecentRuns onSend={() => setSending(true)} />
        <AppsSummary />
      </div>
      <SendEventDialog open={sending} onClose={() => setSending(false)} />
    </>
  );
}
