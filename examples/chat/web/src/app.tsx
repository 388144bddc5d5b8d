import { useCallback, useEffect, useRef, useState } from "react";
import {
  api,
  type ConversationSummary,
  type DocumentSummary,
  followStream,
  type Info,
  type Mode,
  type ModeStats,
  type Result,
} from "./api.js";
import { AgentStream, type AgentHandlers } from "./components/agent-stream.js";
import { Composer } from "./components/composer.js";
import { Sidebar } from "./components/sidebar.js";
import { TurnView } from "./components/turn-view.js";
import { fromHistory, type Turn } from "./turn.js";

export function App() {
  const [info, setInfo] = useState<Info | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [documents, setDocuments] = useState<DocumentSummary[]>([]);
  const [stats, setStats] = useState<ModeStats[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [mode, setMode] = useState<Mode>("durable");
  const [clean, setClean] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const stops = useRef(new Set<() => void>());
  /** Agent turns being followed over Realtime (each renders an `AgentStream`). */
  const [agents, setAgents] = useState<
    { key: string; requestId: string; started: number | null }[]
  >([]);
  const bottom = useRef<HTMLDivElement>(null);

  const refresh = useCallback(() => {
    void api
      .conversations()
      .then(setConversations)
      .catch(() => undefined);
    void api
      .stats()
      .then(setStats)
      .catch(() => undefined);
  }, []);
  const refreshDocuments = useCallback(
    () =>
      void api
        .documents()
        .then(setDocuments)
        .catch(() => undefined),
    [],
  );

  useEffect(() => {
    api
      .info()
      .then(setInfo)
      .catch((error: unknown) => setFatal(error instanceof Error ? error.message : String(error)));
    refresh();
    refreshDocuments();
    const live = stops.current;
    return () => live.forEach((stop) => stop());
  }, [refresh, refreshDocuments]);

  useEffect(() => {
    // A block body: newer browsers return a promise from scrollIntoView, not a cleanup.
    bottom.current?.scrollIntoView({ block: "end" });
  }, [turns]);

  const update = (key: string, change: (turn: Turn) => Partial<Turn>) =>
    setTurns((all) => all.map((t) => (t.key === key ? { ...t, ...change(t) } : t)));

  /**
   * Follows a request's stream into its turn. `started` is when the question was sent from this
   * page (client-side latency, what the user felt); a turn resumed after a reload has none, and
   * takes the server's numbers when it finishes.
   */
  function follow(key: string, requestId: string, started: number | null, mode: Mode) {
    if (mode === "agent") {
      setAgents((all) => [...all, { key, requestId, started }]);
      return;
    }
    const stop = followStream(requestId, {
      onMeta: (meta) => update(key, () => ({ runUrl: meta.run_url })),
      onDelta: (text) =>
        update(key, (t) => ({
          content: t.content + text,
          retryNote: null,
          firstTokenMs: t.firstTokenMs ?? (started === null ? null : performance.now() - started),
        })),
      onReset: (reason) => update(key, () => ({ content: "", retryNote: reason })),
      onDone: (result) => {
        stops.current.delete(stop);
        finish(key, started, result);
      },
    });
    stops.current.add(stop);
  }

  function finish(key: string, started: number | null, result: Result) {
    const totalMs = started === null ? null : performance.now() - started;
    if (result.status === "done")
      update(key, (t) => ({
        status: "done",
        content: result.content,
        sources: result.sources,
        runUrl: result.run_url ?? t.runUrl,
        totalMs: totalMs ?? result.latency_ms.total,
        firstTokenMs: t.firstTokenMs ?? result.latency_ms.first_token ?? totalMs,
      }));
    else if (result.status === "error")
      update(key, () => ({ status: "error", error: result.error, totalMs }));
    refresh();
  }

  function agentHandlers(key: string, started: number | null): AgentHandlers {
    return {
      onDelta: (text) =>
        update(key, (t) => ({
          content: t.content + text,
          firstTokenMs: t.firstTokenMs ?? (started === null ? null : performance.now() - started),
        })),
      onRestart: () => update(key, () => ({ content: "" })),
      onToolCall: (call) =>
        update(key, (t) => ({
          toolCalls: t.toolCalls.some((c) => c.id === call.id)
            ? t.toolCalls
            : [...t.toolCalls, call],
        })),
      onRunUrl: (runId) =>
        update(key, () => ({ runUrl: info ? `${info.dashboard_url}/runs/${runId}` : null })),
      onDone: (result) => {
        setAgents((all) => all.filter((a) => a.key !== key));
        finish(key, started, result);
      },
    };
  }

  async function select(id: string | null) {
    stops.current.forEach((stop) => stop());
    stops.current.clear();
    setAgents([]);
    setCurrent(id);
    setNotice(null);
    if (id === null) return setTurns([]);
    try {
      const conversation = await api.conversation(id);
      const loaded = conversation.turns.map(fromHistory);
      setTurns(loaded);
      // A question still being answered (left, or the page reloaded) keeps streaming.
      for (const turn of loaded)
        if (turn.status === "streaming" && turn.requestId)
          follow(turn.key, turn.requestId, null, turn.mode);
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    }
  }

  async function remove(id: string) {
    await api.deleteConversation(id).catch(() => undefined);
    if (id === current) await select(null);
    refresh();
  }

  async function send(query: string) {
    const key = `local-${Date.now()}`;
    const started = performance.now();
    const turn: Turn = {
      key,
      requestId: null,
      mode,
      query,
      status: "sending",
      content: "",
      error: null,
      sources: [],
      runUrl: null,
      firstTokenMs: null,
      totalMs: null,
      retryNote: null,
      toolCalls: [],
    };
    setTurns((all) => [...all, turn]);
    setNotice(null);
    let accepted;
    try {
      accepted = await api.send({
        query,
        mode,
        clean,
        ...(current ? { conversation_id: current } : {}),
      });
    } catch (error) {
      update(key, () => ({
        status: "error",
        error: error instanceof Error ? error.message : String(error),
      }));
      return;
    }
    if (current === null) setCurrent(accepted.conversation_id);
    refresh();
    update(key, () => ({ requestId: accepted.request_id, status: "streaming" }));
    follow(key, accepted.request_id, started, mode);
  }

  const busy = turns.some((t) => t.status === "sending" || t.status === "streaming");
  const lastByMode: Partial<Record<Mode, Turn>> = {};
  for (const t of turns) if (t.status === "done" && t.totalMs !== null) lastByMode[t.mode] = t;

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={22} height={22} /> Ingot Chat
        </div>
        {info && (
          <div className="badges">
            <span className="badge" data-testid="model-badge">
              {info.simulated ? "simulated model" : `${info.provider} · ${info.model}`}
            </span>
            <span className="badge">
              {info.retrieval === "hybrid"
                ? `BM25 + ${info.embedding_model ?? "embeddings"}`
                : "BM25 retrieval"}{" "}
              · {info.indexed_chunks} passages
            </span>
            <a className="badge link" href={info.dashboard_url} target="_blank" rel="noreferrer">
              Ingot dashboard ↗
            </a>
          </div>
        )}
      </header>
      {info?.simulated && (
        <div className="banner" role="status" data-testid="sim-banner">
          <strong>Simulated answers.</strong> {info.notice}
        </div>
      )}
      {fatal && (
        <div className="banner error" role="alert">
          {fatal}
        </div>
      )}
      <div className="body">
        <Sidebar
          conversations={conversations}
          current={current}
          documents={documents}
          stats={stats}
          onSelect={(id) => void select(id)}
          onDelete={(id) => void remove(id)}
          onUploaded={refreshDocuments}
        />
        <main className="chat">
          <section className="turns" aria-live="polite">
            {turns.length === 0 && (
              <div className="empty">
                <h2>Ask about Ingot</h2>
                <p>
                  Answers use the project's own docs (and anything you upload). Try “How does Ingot
                  stream tokens from step.ai.infer?” or “What happens when the server is killed?”.
                </p>
              </div>
            )}
            {turns.map((turn) => (
              <TurnView key={turn.key} turn={turn} simulated={info?.simulated ?? false} />
            ))}
            {notice && (
              <div className="error" role="alert">
                {notice}
              </div>
            )}
            {agents.map((a) => (
              <AgentStream
                key={a.key}
                requestId={a.requestId}
                handlers={agentHandlers(a.key, a.started)}
              />
            ))}
            <div ref={bottom} />
          </section>
          <Composer
            busy={busy}
            maxChars={info?.limits.max_query_chars ?? 4000}
            mode={mode}
            clean={clean}
            lastByMode={lastByMode}
            onMode={setMode}
            onClean={setClean}
            onSend={(q) => void send(q)}
          />
        </main>
      </div>
    </div>
  );
}
