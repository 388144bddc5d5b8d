import { useState } from "react";
import { ApiError, type IngotClient } from "../api/client";
import { type AiCall, isActive } from "../api/types";
import { AiCallCard } from "../components/ai-call-card";
import { CopyButton } from "../components/copy-button";
import { Card, PageHeader } from "../components/layout";
import { LiveTokens } from "../components/live-tokens";
import { RelativeTime } from "../components/relative-time";
import { EmptyState, ErrorState, Loading, StaleBanner } from "../components/states";
import { RunStatusBadge } from "../components/status-badge";
import { StepDetail } from "../components/step-detail";
import { WaterfallChart } from "../components/waterfall";
import { useFunctions, useIngot } from "../context";
import { useNow } from "../hooks/use-now";
import { useResource } from "../hooks/use-resource";
import { type LiveCall, type LiveState, useRunLive } from "../hooks/use-run-live";
import { durationBetween, formatCount, formatDuration, formatTime, formatUsd } from "../lib/format";
import { buildWaterfall, type Waterfall } from "../lib/waterfall";
import { Link } from "../router";
import { RunActions } from "./run-actions";
import { RunHistory, RunOutput, TriggerEvent } from "./run-panels";

async function loadRun(client: IngotClient, runId: string) {
  const [run, steps, history, ai] = await Promise.all([
    client.run(runId),
    client.steps(runId),
    client.history(runId),
    client.aiCalls(runId),
  ]);
  return { run, steps, history, ai };
}
type Bundle = Awaited<ReturnType<typeof loadRun>>;

const LIVE_LABEL: { [K in LiveState]: string } = {
  off: "",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

export function RunPage({ runId }: { runId: string }) {
  const { client } = useIngot();
  const [active, setActive] = useState(true);
  const bundle = useResource(() => loadRun(client, runId), [runId], {
    intervalMs: active ? 2000 : undefined,
  });
  const runActive = bundle.data ? isActive(bundle.data.run.status) : active;
  if (runActive !== active) setActive(runActive);
  const live = useRunLive(runId, runActive && bundle.data !== undefined, bundle.reload);

  if (!bundle.data) {
    if (bundle.error instanceof ApiError && bundle.error.status === 404)
      return (
        <EmptyState title="Run not found" icon="?">
          <p>
            No run has the ID <code>{runId}</code>. <Link to="/runs">Back to runs</Link>
          </p>
        </EmptyState>
      );
    if (bundle.error) return <ErrorState error={bundle.error} onRetry={bundle.reload} />;
    return <Loading label="Loading the run" rows={6} />;
  }
  return <RunView bundle={bundle.data} error={bundle.error} reload={bundle.reload} live={live} />;
}

interface RunViewProps {
  bundle: Bundle;
  error: Error | undefined;
  reload(): void;
  live: { calls: LiveCall[]; state: LiveState };
}

function RunView({ bundle, error, reload, live }: RunViewProps) {
  const { run, steps, history, ai } = bundle;
  const { nameOf } = useFunctions();
  const now = useNow(isActive(run.status) ? 250 : 60_000);
  const chart = buildWaterfall({ run, steps, history, now });
  const stepName = (id: string) =>
    steps.find((step) => step.step_id === id)?.name ?? id.slice(0, 8);
  const recorded = (call: LiveCall) =>
    ai.some((row) => row.step_id === call.stepId && row.attempt === call.attempt);
  const liveCalls = live.calls.filter((call) => !recorded(call));
  return (
    <>
      <PageHeader
        back={{ to: "/runs", label: "Runs" }}
        title={
          <Link to={`/functions/${run.function_id}`} className="title-link">
            {nameOf(run.function_id)}
          </Link>
        }
        subtitle={
          <span className="run-subtitle">
            <RunStatusBadge status={run.status} />
            <span className="mono">{run.run_id}</span>
            <CopyButton text={run.run_id} label="Copy run ID" />
            {live.state !== "off" ? (
              <span className={`live-state live-${live.state}`} role="status">
                <span className="live-dot" aria-hidden="true" /> {LIVE_LABEL[live.state]}
              </span>
            ) : null}
          </span>
        }
        actions={<RunActions run={run} onChanged={reload} />}
      />
      <StaleBanner error={error} />
      <RunMeta bundle={bundle} now={now} />
      <div className="run-grid">
        <div className="stack">
          <Timeline chart={chart} ai={ai} runStatus={run.status} />
          <AiSection ai={ai} liveCalls={liveCalls} stepName={stepName} />
        </div>
        <div className="stack">
          <RunOutput run={run} />
          <TriggerEvent eventId={run.event_id} />
        </div>
      </div>
      <RunHistory history={history} steps={steps} />
    </>
  );
}

function RunMeta({ bundle, now }: { bundle: Bundle; now: number }) {
  const { run, ai } = bundle;
  const ms = durationBetween(run.run_started_at, run.ended_at, now);
  const cost = ai.reduce((sum, call) => sum + (call.cost_usd ?? 0), 0);
  const tokens = ai.reduce((sum, call) => sum + (call.usage.total_tokens ?? 0), 0);
  return (
    <dl className="meta-grid card">
      <div>
        <dt>Started</dt>
        <dd title={formatTime(run.run_started_at)}>
          <RelativeTime iso={run.run_started_at} />
        </dd>
      </div>
      <div>
        <dt>Ended</dt>
        <dd>{run.ended_at ? formatTime(run.ended_at) : "—"}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{ms === null ? "—" : formatDuration(ms)}</dd>
      </div>
      <div>
        <dt>App</dt>
        <dd className="mono">{run.app_id}</dd>
      </div>
      <div>
        <dt>Steps</dt>
        <dd>{bundle.steps.length}</dd>
      </div>
      <div>
        <dt>AI usage</dt>
        <dd>{ai.length === 0 ? "—" : `${formatCount(tokens)} tokens · ${formatUsd(cost)}`}</dd>
      </div>
      {run.correlation_id ? (
        <div>
          <dt>Invoked by</dt>
          <dd>
            <Link to={`/runs/${run.correlation_id.split(".")[0] ?? ""}`} className="mono">
              parent run
            </Link>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function Timeline({ chart, ai, runStatus }: { chart: Waterfall; ai: AiCall[]; runStatus: string }) {
  const [picked, setPicked] = useState<string>();
  // Until the user picks one: the step that failed, else the one in progress, else the model
  // call, else the last step.
  const fallback =
    chart.rows.find((row) => row.errors.length > 0 || row.step.status === "failed") ??
    chart.rows.find((row) => row.open) ??
    chart.rows.find((row) => row.step.op === "AIGateway") ??
    chart.rows.at(-1);
  const selected = chart.rows.find((row) => row.step.step_id === picked) ?? fallback;
  return (
    <Card title="Timeline">
      {chart.rows.length === 0 ? (
        <EmptyState title="No steps yet" icon="⋯">
          <p>Steps appear here as the function reaches them.</p>
        </EmptyState>
      ) : (
        <>
          <WaterfallChart
            chart={chart}
            selected={selected?.step.step_id}
            onSelect={setPicked}
            runStatus={runStatus}
          />
          {selected ? (
            <StepDetail
              row={selected}
              calls={ai.filter((call) => call.step_id === selected.step.step_id)}
            />
          ) : null}
        </>
      )}
    </Card>
  );
}

function AiSection(props: { ai: AiCall[]; liveCalls: LiveCall[]; stepName(id: string): string }) {
  const { ai, liveCalls, stepName } = props;
  if (ai.length === 0 && liveCalls.length === 0) return null;
  const cost = ai.reduce((sum, call) => sum + (call.cost_usd ?? 0), 0);
  const input = ai.reduce((sum, call) => sum + (call.usage.input_tokens ?? 0), 0);
  const output = ai.reduce((sum, call) => sum + (call.usage.output_tokens ?? 0), 0);
  return (
    <Card
      title="AI calls"
      actions={
        ai.length === 0 ? (
          <span className="muted small">Model call in progress</span>
        ) : (
          <span className="muted small">
            {ai.length} call{ai.length === 1 ? "" : "s"} · {formatCount(input)} in /{" "}
            {formatCount(output)} out · {formatUsd(cost)}
          </span>
        )
      }
    >
      <LiveTokens calls={liveCalls} stepName={stepName} />
      {ai.map((call) => (
        <AiCallCard key={call.id} call={call} stepName={stepName(call.step_id)} />
      ))}
    </Card>
  );
}
