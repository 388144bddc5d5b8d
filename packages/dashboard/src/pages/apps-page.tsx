import { type FormEvent, useId, useState } from "react";
import type { App } from "../api/types";
import { Dialog } from "../components/dialog";
import { Card, PageHeader } from "../components/layout";
import { RelativeTime } from "../components/relative-time";
import { EmptyState, ErrorState, Loading, StaleBanner } from "../components/states";
import { useToast } from "../components/toast";
import { useFunctions, useIngot } from "../context";
import { useResource } from "../hooks/use-resource";
import { formatTime } from "../lib/format";
import { Link } from "../router";

const message = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

function AddAppForm({ onAdded }: { onAdded(): void }) {
  const { client } = useIngot();
  const toast = useToast();
  const [url, setUrl] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await client.addApp(url.trim());
      toast.show("success", "App synced");
      setUrl("");
      onAdded();
    } catch (cause) {
      setError(message(cause));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="add-app" onSubmit={(event) => void submit(event)}>
      <label htmlFor={id} className="field-label">
        App URL
      </label>
      <div className="input-row">
        <input
          id={id}
          className="input"
          type="url"
          required
          placeholder="http://127.0.0.1:3000/api/inngest"
          value={url}
          aria-invalid={error !== undefined}
          aria-describedby={`${id}-help`}
          onChange={(event) => setUrl(event.target.value)}
        />
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || url.trim() === ""}
        >
          {busy ? "Syncing…" : "Sync app"}
        </button>
      </div>
      <p
        id={`${id}-help`}
        className={error ? "field-error" : "field-hint"}
        role={error ? "alert" : undefined}
      >
        {error ??
          "Where the app serves its functions with serve(). Ingot asks it for its functions and keeps re-syncing it."}
      </p>
    </form>
  );
}

function AppCard({ app, onChanged }: { app: App; onChanged(): void }) {
  const { client } = useIngot();
  const functions = useFunctions();
  const toast = useToast();
  const [busy, setBusy] = useState<"sync" | "remove">();
  const [confirming, setConfirming] = useState(false);
  const [syncError, setSyncError] = useState<string>();
  const error = syncError ?? app.error;

  const act = async (kind: "sync" | "remove") => {
    setBusy(kind);
    try {
      if (kind === "sync") await client.syncApp(app.id);
      else await client.removeApp(app.id);
      setSyncError(undefined);
      toast.show("success", kind === "sync" ? `Re-synced ${app.id}` : `Removed ${app.id}`);
      setConfirming(false);
      onChanged();
      functions.reload();
    } catch (cause) {
      if (kind === "sync") setSyncError(message(cause));
      else toast.show("error", `Could not remove ${app.id}: ${message(cause)}`);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Card
      className="app-card"
      title={<span className="mono">{app.id}</span>}
      actions={
        <>
          <button
            type="button"
            className="button button-small"
            disabled={busy !== undefined}
            onClick={() => void act("sync")}
          >
            {busy === "sync" ? "Syncing…" : "Resync"}
          </button>
          <button
            type="button"
            className="button button-small button-ghost"
            onClick={() => setConfirming(true)}
          >
            Remove
          </button>
        </>
      }
    >
      <p className={`sync-status ${error ? "sync-error" : "sync-ok"}`} role="status">
        <span className={`dot ${error ? "dot-danger" : "dot-success"}`} aria-hidden="true" />
        <span>
          {error ? (
            <>Sync failed: {error}</>
          ) : (
            <>
              Synced <RelativeTime iso={app.synced_at} />
            </>
          )}
        </span>
      </p>
      <dl className="definition-list">
        <dt>URL</dt>
        <dd className="mono small break">{app.url}</dd>
        <dt>SDK</dt>
        <dd className="mono small">{app.sdk ?? "—"}</dd>
        <dt>Framework</dt>
        <dd>{app.framework ?? "—"}</dd>
        <dt>App version</dt>
        <dd>{app.app_version ?? "—"}</dd>
        <dt>Functions</dt>
        <dd>
          <Link to="/functions">{app.function_count}</Link>
        </dd>
        {app.requests ? (
          <>
            <dt>Requests open</dt>
            <dd data-app-requests={app.requests.queued > 0 ? "at-capacity" : "ok"}>
              {app.requests.active} of {app.requests.limit}
              {app.requests.queued > 0 ? (
                <>
                  {" "}
                  <span className="badge badge-warning">at capacity</span>{" "}
                  <span className="muted">
                    {app.requests.queued} more waiting, first come first served (--app-concurrency)
                  </span>
                </>
              ) : null}
            </dd>
          </>
        ) : null}
        <dt>Last sync</dt>
        <dd>{formatTime(app.synced_at)}</dd>
        <dt>First seen</dt>
        <dd>{formatTime(app.created_at)}</dd>
      </dl>
      <Dialog
        open={confirming}
        title={`Remove ${app.id}?`}
        onClose={() => setConfirming(false)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={busy === "remove"}
              onClick={() => void act("remove")}
            >
              Remove app
            </button>
          </>
        }
      >
        <p>
          Ingot forgets the app and archives its {app.function_count} functions: they stop
          triggering. Syncing the app again brings them back. Runs and their history are kept.
        </p>
      </Dialog>
    </Card>
  );
}

export function AppsPage() {
  const { client } = useIngot();
  const apps = useResource(() => client.apps(), [], { intervalMs: 5000 });
  return (
    <>
      <PageHeader
        title="Apps"
        subtitle="Apps Ingot calls to run functions, and how their last sync went."
      />
      <Card title="Sync an app">
        <AddAppForm onAdded={apps.reload} />
      </Card>
      {apps.data ? (
        <>
          <StaleBanner error={apps.error} />
          {apps.data.length === 0 ? (
            <Card>
              <EmptyState title="No apps yet" icon="▣">
                <p>
                  Point your app at this server (<code>INNGEST_DEV={window.location.origin}</code>)
                  and sync it above, or start Ingot with <code>-u &lt;app URL&gt;</code>.
                </p>
              </EmptyState>
            </Card>
          ) : (
            <div className="app-grid">
              {apps.data.map((app) => (
                <AppCard key={app.id} app={app} onChanged={apps.reload} />
              ))}
            </div>
          )}
        </>
      ) : apps.error ? (
        <ErrorState error={apps.error} onRetry={apps.reload} />
      ) : (
        <Loading label="Loading apps" rows={3} />
      )}
    </>
  );
}
