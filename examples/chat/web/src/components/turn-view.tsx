import { Markdown } from "../markdown.js";
import { formatMs, shownText, type Turn } from "../turn.js";

const PATH_LABELS = { durable: "Durable · Ingot", direct: "Direct", agent: "Agent · Realtime" };

/** `{"query": "streaming"}` as `query: "streaming"`. */
function describeArgs(args: unknown): string {
  if (typeof args !== "object" || args === null) return JSON.stringify(args);
  return Object.entries(args)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join(", ");
}

/** A question, its (streaming) answer, the sources it used, and how long it took on which path. */
export function TurnView({ turn, simulated }: { turn: Turn; simulated: boolean }) {
  const live = turn.status === "sending" || turn.status === "streaming";
  return (
    <article className="turn" data-testid="turn" data-status={turn.status} data-mode={turn.mode}>
      <div className="bubble user">{turn.query}</div>
      <div className={`bubble assistant${live ? " live" : ""}`} data-testid="answer">
        {turn.retryNote && live && <div className="retry-note">Retrying: {turn.retryNote}</div>}
        {turn.toolCalls.length > 0 && (
          <ul className="tool-calls" data-testid="tool-calls">
            {turn.toolCalls.map((call) => (
              <li key={call.id} data-testid="tool-call">
                <code>{call.name}</code>
                {call.args !== null && <span className="args"> {describeArgs(call.args)}</span>}
              </li>
            ))}
          </ul>
        )}
        {turn.status === "error" ? (
          <div className="error" role="alert" data-testid="answer-error">
            <strong>Could not answer.</strong> {turn.error}
          </div>
        ) : turn.content === "" && live ? (
          <div className="thinking">{turn.status === "sending" ? "Sending…" : "Thinking…"}</div>
        ) : (
          <div className="content">
            <Markdown text={shownText(turn, simulated)} />
            {live && <span className="caret" data-testid="caret" />}
          </div>
        )}
        {turn.sources.length > 0 && (
          <details className="sources" data-testid="sources" open>
            <summary>Sources ({turn.sources.length})</summary>
            <ol>
              {turn.sources.map((source) => (
                <li key={`${source.n}-${source.document_id}`} title={source.snippet}>
                  <span className="source-title">{source.title}</span>
                  {source.heading && source.heading !== source.title && (
                    <span className="source-heading">
                      {" "}
                      › {source.heading.replace(`${source.title} › `, "")}
                    </span>
                  )}
                  <span className="source-file"> · {source.source}</span>
                  <div className="snippet">{source.snippet}</div>
                </li>
              ))}
            </ol>
          </details>
        )}
        <footer className="turn-meta">
          <span className={`path ${turn.mode}`}>{PATH_LABELS[turn.mode]}</span>
          <span data-testid="latency">
            first token {formatMs(turn.firstTokenMs)} · total {formatMs(turn.totalMs)}
          </span>
          {turn.runUrl && (
            <a href={turn.runUrl} target="_blank" rel="noreferrer" data-testid="run-link">
              View run in Ingot ↗
            </a>
          )}
        </footer>
      </div>
    </article>
  );
}
