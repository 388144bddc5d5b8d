import { useRef, useState } from "react";
import { api, type ConversationSummary, type DocumentSummary, type ModeStats } from "../api.js";
import { formatMs } from "../turn.js";

/** Conversations, the document library (upload for RAG), and per-path monitoring. */
export function Sidebar(props: {
  conversations: ConversationSummary[];
  current: string | null;
  documents: DocumentSummary[];
  stats: ModeStats[];
  onSelect(id: string | null): void;
  onDelete(id: string): void;
  onUploaded(): void;
}) {
  const file = useRef<HTMLInputElement>(null);
  const [upload, setUpload] = useState<{ busy: boolean; message: string | null; error: boolean }>({
    busy: false,
    message: null,
    error: false,
  });
  const uploads = props.documents.filter((d) => d.kind === "upload");
  const corpus = props.documents.filter((d) => d.kind === "corpus");

  async function onFile(files: FileList | null) {
    const chosen = files?.[0];
    if (!chosen) return;
    setUpload({ busy: true, message: `Indexing ${chosen.name}…`, error: false });
    try {
      const doc = await api.upload(chosen);
      setUpload({
        busy: false,
        message: `Indexed ${doc.title} (${doc.chunks} passages).`,
        error: false,
      });
      props.onUploaded();
    } catch (error) {
      setUpload({
        busy: false,
        message: error instanceof Error ? error.message : String(error),
        error: true,
      });
    } finally {
      if (file.current) file.current.value = "";
    }
  }

  return (
    <aside className="sidebar">
      <button
        type="button"
        className="new-chat"
        onClick={() => props.onSelect(null)}
        data-testid="new-chat"
      >
        + New chat
      </button>
      <nav className="conversations" aria-label="Conversations">
        {props.conversations.length === 0 && <p className="muted">No conversations yet.</p>}
        {props.conversations.map((c) => (
          <div key={c.id} className={`conversation${c.id === props.current ? " active" : ""}`}>
            <button type="button" onClick={() => props.onSelect(c.id)} title={c.title}>
              {c.title}
            </button>
            <button
              type="button"
              className="delete"
              aria-label={`Delete ${c.title}`}
              onClick={() => props.onDelete(c.id)}
            >
              ×
            </button>
          </div>
        ))}
      </nav>
      <section className="panel">
        <h3>Documents</h3>
        <p className="muted">
          {corpus.length} built-in docs{uploads.length > 0 ? `, ${uploads.length} uploaded` : ""}
        </p>
        {uploads.map((d) => (
          <div key={d.id} className="doc">
            {d.title} <span className="muted">({d.chunks})</span>
          </div>
        ))}
        <label className={`upload${upload.busy ? " busy" : ""}`}>
          Upload .md / .txt
          <input
            ref={file}
            type="file"
            accept=".md,.markdown,.txt,text/plain,text/markdown"
            onChange={(e) => void onFile(e.target.files)}
            disabled={upload.busy}
            data-testid="upload"
          />
        </label>
        {upload.message && (
          <p className={upload.error ? "error small" : "muted small"}>{upload.message}</p>
        )}
      </section>
      <section className="panel" data-testid="monitoring">
        <h3>Monitoring</h3>
        <table>
          <thead>
            <tr>
              <th>path</th>
              <th>asks</th>
              <th>errors</th>
              <th>1st token</th>
              <th>total</th>
            </tr>
          </thead>
          <tbody>
            {(["durable", "direct", "agent"] as const).map((mode) => {
              const s = props.stats.find((row) => row.mode === mode);
              return (
                <tr key={mode}>
                  <td>{mode}</td>
                  <td>{s?.total ?? 0}</td>
                  <td>{s?.errors ?? 0}</td>
                  <td>{formatMs(s?.avg_first_token_ms ?? null)}</td>
                  <td>{formatMs(s?.avg_total_ms ?? null)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="muted small">Averages measured by the server.</p>
      </section>
    </aside>
  );
}
