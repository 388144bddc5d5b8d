import { type FormEvent, useId, useState } from "react";
import { ApiError, type IngotClient } from "../api/client";

/**
 * `ingot start` asks for the dashboard token (`--dashboard-token`, else the signing key). The
 * server answers with an HttpOnly cookie; the token itself is never stored by the page.
 */
export function SignInPage({ client, onSignedIn }: { client: IngotClient; onSignedIn(): void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await client.login(token.trim());
      onSignedIn();
    } catch (cause) {
      setError(
        cause instanceof ApiError && cause.status === 401
          ? "That token is not right. Use the server's --dashboard-token (or its signing key)."
          : cause instanceof Error
            ? cause.message
            : String(cause),
      );
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form
        className="sign-in-card"
        onSubmit={(event) => void submit(event)}
        aria-labelledby={`${id}-title`}
      >
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" />
          <span className="brand-name">Ingot</span>
        </div>
        <h1 id={`${id}-title`}>Sign in to the dashboard</h1>
        <p className="muted">
          This server runs in production mode. Enter the dashboard token it was started with.
        </p>
        <label htmlFor={`${id}-token`} className="field-label">
          Dashboard token
        </label>
        <input
          id={`${id}-token`}
          className="input"
          type="password"
          autoComplete="current-password"
          autoFocus
          required
          value={token}
          aria-invalid={error !== undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => setToken(event.target.value)}
        />
        {error ? (
          <p id={`${id}-error`} className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy || token.trim() === ""}
        >
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
