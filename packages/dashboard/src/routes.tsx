import type { ReactElement } from "react";
import { EmptyState } from "./components/states";
import { AppsPage } from "./pages/apps-page";
import { EventPage } from "./pages/event-page";
import { EventsPage } from "./pages/events-page";
import { FunctionPage } from "./pages/function-page";
import { FunctionsPage } from "./pages/functions-page";
import { HomePage } from "./pages/home-page";
import { RunPage } from "./pages/run-page";
import { RunsPage } from "./pages/runs-page";
import { Link, matchPath, useLocation } from "./router";

const ROUTES: { pattern: string; render(params: Record<string, string>): ReactElement }[] = [
  { pattern: "/", render: () => <HomePage /> },
  { pattern: "/runs", render: () => <RunsPage /> },
  { pattern: "/runs/:id", render: ({ id = "" }) => <RunPage key={id} runId={id} /> },
  { pattern: "/events", render: () => <EventsPage /> },
  { pattern: "/events/:id", render: ({ id = "" }) => <EventPage key={id} eventId={id} /> },
  { pattern: "/functions", render: () => <FunctionsPage /> },
  {
    pattern: "/functions/:id",
    render: ({ id = "" }) => <FunctionPage key={id} functionId={id} />,
  },
  { pattern: "/apps", render: () => <AppsPage /> },
];

export function Routes() {
  const { path } = useLocation();
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params) return route.render(params);
  }
  return (
    <EmptyState title="Page not found" icon="?">
      <p>
        Nothing lives at <code>{path}</code>. <Link to="/">Back to the overview</Link>.
      </p>
    </EmptyState>
  );
}
