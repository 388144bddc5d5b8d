import type { ReactNode } from "react";
import { ApiError } from "../api/client";

/** Designed placeholder states: every list and panel shows one of these instead of nothing. */

export function Loading({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: rows }, (_, index) => (
        <div key={index} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner" role={label ? "status" : undefined} aria-label={label}>
      <span aria-hidden="true" />
    </span>
  );
}

export function EmptyState(props: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <div className="empty-icon" aria-hidden="true">
        {props.icon ?? "◌"}
      </div>
      <h3>{props.title}</h3>
      {props.children ? <div className="empty-body">{props.children}</div> : null}
      {props.action ? <div className="empty-action">{props.action}</div> : null}
    </div>
  );
}

function explain(error: Error): { title: string; detail: string } {
  if (error instanceof ApiError) {
    if (error.status === 0) return { title: "Ingot is not reachable", detail: error.message };
    if (error.status === 404) return { title: "Not found", detail: error.message };
    return { title: `The server answered ${error.status}`, detail: error.message };
  }
  if (error.name === "DecodeError")
    return { title: "Unexpected answer from the server", detail: error.message };
  return { title: "Something went wrong", detail: error.message };
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { title, detail } = explain(error);
  return (
    <div className="error-state" role="alert">
      <div className="error-icon" aria-hidden="true">
        !
      </div>
      <div>
        <h3>{title}</h3>
        <p className="error-detail">{detail}</p>
        {onRetry ? (
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** A failed refresh while older data is still shown: a thin banner, not a full error. */
export function StaleBanner({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <p className="stale-banner" role="status">
      Could not refresh: {error.message}. Showing the last data loaded.
    </p>
  );
}
