import type { AiCall } from "../api/types";
import { formatCount, formatDuration, formatTime, formatUsd } from "../lib/format";
import { promptMessages } from "../lib/prompt";
import { redact, redactString, redactUrl } from "../lib/redact";
import { JsonView } from "./json-view";

const OUTCOME: { [K in AiCall["outcome"]]: { tone: string; label: string } } = {
  ok: { tone: "success", label: "OK" },
  retry: { tone: "warning", label: "Retried" },
  error: { tone: "danger", label: "Failed" },
  cancelled: { tone: "neutral", label: "Cancelled" },
};

function Metric({ label, value, name }: { label: string; value: string; name?: string }) {
  return (
    <div className="metric" data-metric={name}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Prompt({ request }: { request: unknown }) {
  const clean = redact(request);
  const messages = promptMessages(clean);
  return (
    <div className="prompt">
      <h4>Prompt</h4>
      {messages ? (
        <ol className="messages">
          {messages.map((message, index) => (
            <li key={index} className={`message message-${message.role}`}>
              <span className="message-role">{message.role}</span>
              <p className="message-text">{message.text}</p>
            </li>
          ))}
        </ol>
      ) : null}
      <details className="raw-request">
        <summary>Request body</summary>
        <JsonView value={clean} label="Request body (keys removed)" />
      </details>
    </div>
  );
}

/** One provider call: who, what it cost, how fast, what was asked and what came back. */
export function AiCallCard({ call, stepName }: { call: AiCall; stepName?: string }) {
  const outcome = OUTCOME[call.outcome];
  const { usage } = call;
  return (
    <article
      id={`ai-${call.id}`}
      className="ai-call"
      aria-label={`AI call ${call.provider} ${call.model ?? ""}`}
      data-ai-call={call.id}
    >
      <header className="ai-call-header">
        <div>
          <span className="ai-provider">{call.provider}</span>
          <span className="ai-model mono">{call.model ?? "unknown model"}</span>
        </div>
        <div className="ai-call-tags">
          {stepName ? <span className="muted small">step {stepName}</span> : null}
          <span className="muted small">attempt {call.attempt + 1}</span>
          {call.streamed ? <span className="tag">streamed</span> : null}
          <span className={`badge badge-${outcome.tone}`}>
            <span className="dot" aria-hidden="true" />
            {outcome.label}
            {call.http_status !== null ? ` · ${call.http_status}` : ""}
          </span>
        </div>
      </header>
      <dl className="metrics">
        <Metric name="input-tokens" label="Input tokens" value={formatCount(usage.input_tokens)} />
        <Metric
          name="output-tokens"
          label="Output tokens"
          value={formatCount(usage.output_tokens)}
        />
        <Metric name="cached-tokens" label="Cached" value={formatCount(usage.cached_tokens)} />
        <Metric name="total-tokens" label="Total tokens" value={formatCount(usage.total_tokens)} />
        <Metric name="cost" label="Cost" value={formatUsd(call.cost_usd)} />
        <Metric name="latency" label="Latency" value={formatDuration(call.latency_ms)} />
        <Metric
          name="first-token"
          label="First token"
          value={call.first_token_ms === null ? "—" : formatDuration(call.first_token_ms)}
        />
        <Metric
          name="key"
          label="Key"
          value={
            call.key_source === "op"
              ? "from app"
              : call.key_source === "server"
                ? "held by Ingot"
                : "none"
          }
        />
      </dl>
      <p className="ai-url mono small" title={`Started ${formatTime(call.started_at)}`}>
        {call.kind === "fetch" ? "fetch " : "POST "}
        {redactUrl(call.url)}
      </p>
      <div className="ai-exchange">
        <Prompt request={call.request} />
        <div className="response">
          <h4>Response</h4>
          {call.error ? <p className="error-text">{redactString(call.error)}</p> : null}
          {call.response_text !== null ? (
            <p className="response-text">{redactString(call.response_text)}</p>
          ) : call.error ? null : (
            <p className="muted">No text in the answer.</p>
          )}
        </div>
      </div>
    </article>
  );
}
