import { Markdown } from "../markdown.js";
import { formatMs, type Turn } from "../turn.js";

/** A question, its (streaming) answer, the sources it used, and how long it took on which path. */
export function TurnView({ turn }: { turn: Turn }) {
  const live = turn.status === "sending" || turn.status === "streaming";
  return (
    <article className="turn" data-testid="turn" data-status={turn.status} data-mode={turn.mode}>
      <div className="bubble user">{turn.query}</div>
      <div className={`bubble assistant${live ? " live" : ""}`} data-testid="answer">
        {turn.retryNote && live && <div className="retry-note">Retrying: {turn.retryNote}</div>}
        {turn.status === "error" ? (
          <div className="error" role="alert" data-testid="answer-error">
            <strong>Could not answer.</strong> {turn.error}
          </div>
        ) : turn.content === "" && live ? (
          <div className="thinking">{turn.status === "sending" ? "Sending…" : "Thinking…"}</div>
        ) : (
          <div className="content">
            <Markdown text={turn.content} />
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
          <span className={`path ${turn.mode}`}>
            {turn.mode === "durable" ? "Durable · Ingot" : "Direct"}
          </span>
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
