import { useCallback, useEffect, useMemo, useState } from "react";
import { IngotClient } from "./api/client";
import type { Session } from "./api/types";
import { Layout } from "./components/layout";
import { ErrorState, Spinner } from "./components/states";
import { ToastProvider } from "./components/toast";
import { FunctionsProvider, IngotProvider } from "./context";
import { toError } from "./hooks/use-resource";
import { Routes } from "./routes";
import { SignInPage } from "./pages/sign-in-page";

/**
 * Asks the server whether a sign-in is needed (`GET /auth/session`), shows the sign-in screen
 * until it is done, and the pages after. Any 401 later (an expired session) brings the
 * sign-in screen back without losing the page the user is on.
 */
export function App() {
  const [session, setSession] = useState<Session | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const client = useMemo(
    () =>
      new IngotClient(() =>
        setSession((current) =>
          current?.required ? { ...current, authenticated: false } : current,
        ),
      ),
    [],
  );

  const loadSession = useCallback(() => {
    setError(undefined);
    client.session().then(setSession, (cause: unknown) => setError(toError(cause)));
  }, [client]);
  useEffect(loadSession, [loadSession]);

  const signOut = useCallback(() => {
    void client
      .logout()
      .finally(() => setSession((current) => current && { ...current, authenticated: false }));
  }, [client]);

  if (error)
    return (
      <div className="center-screen">
        <ErrorState error={error} onRetry={loadSession} />
      </div>
    );
  if (!session)
    return (
      <div className="center-screen">
        <Spinner label="Connecting to Ingot" />
      </div>
    );
  if (session.required && !session.authenticated)
    return (
      <SignInPage
        client={client}
        onSignedIn={() => setSession({ ...session, authenticated: true })}
      />
    );
  return (
    <IngotProvider value={{ client, session, signOut }}>
      <ToastProvider>
        <FunctionsProvider>
          <Layout>
            <Routes />
          </Layout>
        </FunctionsProvider>
      </ToastProvider>
    </IngotProvider>
  );
}
