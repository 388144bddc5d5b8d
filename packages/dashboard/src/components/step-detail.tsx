import { isRecord } from "../api/decode";
import type { AiCall } from "../api/types";
import {
  formatCount,
  formatDuration,
  formatPreciseTime,
  formatTime,
  formatUsd,
} from "../lib/format";
import type { WaterfallRow } from "../lib/waterfall";
import { JsonView } from "./json-view";
import { StepStatusBadge } from "./status-badge";
import { opLabel } from "./waterfall";

/** A memoized output is `{data}` or `{error}` (spec §4.2); show which, unwrapped. */
function StepOutput({ output }: { output: unknown }) {
  if (output === null || output === undefined)
    return <p className="muted">No output yet (or this kind of step has none).</p>;
  if (isRecord(output) && "error" in output)
    return <JsonView value={output.error} label="Error returned by the step" />;
  if (isRecord(output) && "data" in output) return <JsonView value={output.data} label="Output" />;
  return <JsonView value={output} label="Output" />;
}

export function StepDetail({ row, calls }: { row: WaterfallRow; calls: AiCall[] }) {
  const { step } = row;
  return (
    <div className="step-detail" aria-label={`Step ${step.name}`} role="region">
      <header className="step-detail-header">
        <div>
          <span className="op-tag">{opLabel(step.op)}</span>
          <h3>{step.name}</h3>
        </div>
        <StepStatusBadge status={step.status} />
      </header>
      <dl className="definition-list definition-grid">
        <dt>Started</dt>
        <dd>{formatPreciseTime(row.start)}</dd>
        <dt>Ended</dt>
        <dd>
          {row.open
            ? row.until
              ? `sleeps until ${formatTime(row.until)}`
              : "in progress"
            : formatPreciseTime(row.end)}
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(row.durationMs)}</dd>
        <dt>Attempts</dt>
        <dd>{Math.max(step.attempts, calls.length)}</dd>
        <dt>Step ID</dt>
        <dd className="mono small">{step.step_id}</dd>
      </dl>
      {row.errors.length > 0 ? (
        <section className="attempts" aria-label="Failed attempts">
          <h4>Failed attempts</h4>
          <ol>
            {row.errors.map((error) => (
              <li key={`${error.attempt}-${error.at}`} className="attempt-error">
                <div className="attempt-head">
                  <strong>Attempt {error.attempt + 1}</strong>
                  <span className="muted small">{formatPreciseTime(error.at)}</span>
                  <span className="muted small">
                    {error.final
                      ? "no retries left"
                      : error.retryAt
                        ? `retried at ${formatPreciseTime(error.retryAt)}`
                        : ""}
                  </span>
                </div>
                <p className="error-text">
                  {error.name}: {error.message}
                </p>
                {error.stack ? (
                  <details>
                    <summary>Stack</summary>
                    <pre className="stack-trace">{error.stack}</pre>
                  </details>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <StepOutput output={step.output} />
      {calls.length > 0 ? (
        <ul className="step-ai-calls" aria-label="Model calls of this step">
          {calls.map((call) => (
            <li key={call.id}>
              <a href={`#ai-${call.id}`}>
                {call.provider} · {call.model ?? "unknown model"}
              </a>{" "}
              <span className="muted small">
                attempt {call.attempt + 1} · {formatCount(call.usage.total_tokens)} tokens ·{" "}
                {formatUsd(call.cost_usd)} · {formatDuration(call.latency_ms)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
