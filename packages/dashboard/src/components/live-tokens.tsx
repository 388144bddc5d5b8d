import type { LiveCall } from "../hooks/use-run-live";

/** Tokens of model calls still streaming (or just finished and not yet recorded). */
export function LiveTokens({
  calls,
  stepName,
}: {
  calls: LiveCall[];
  stepName(id: string): string;
}) {
  if (calls.length === 0) return null;
  return (
    <div className="live-calls">
      {calls.map((call) => (
        <article
          key={`${call.stepId}-${call.attempt}`}
          className={`live-call live-${call.state}`}
          aria-label={`Streaming output of ${stepName(call.stepId)}`}
        >
          <header className="live-call-header">
            <span className="live-dot" aria-hidden="true" />
            <strong>{stepName(call.stepId)}</strong>
            <span className="muted small">
              {[call.provider, call.model].filter(Boolean).join(" · ")} · attempt {call.attempt + 1}
            </span>
            <span className="muted small live-state">
              {call.state === "streaming"
                ? "streaming…"
                : call.state === "done"
                  ? "done"
                  : "failed"}
            </span>
          </header>
          <p className="live-text" aria-live="polite">
            {call.text}
            {call.state === "streaming" ? <span className="caret" aria-hidden="true" /> : null}
          </p>
          {call.error ? <p className="error-text">{call.error}</p> : null}
        </article>
      ))}
    </div>
  );
}
