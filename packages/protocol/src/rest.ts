/** Shapes of Ingot's REST API (Inngest v1 subset, ARCHITECTURE.md §3). */

export const RunStatus = {
  Queued: "Queued",
  Running: "Running",
  Completed: "Completed",
  Failed: "Failed",
  Cancelled: "Cancelled",
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  RunStatus.Completed,
  RunStatus.Failed,
  RunStatus.Cancelled,
]);

export const isTerminal = (status: RunStatus): boolean => TERMINAL_STATUSES.has(status);

/** `GET /v1/runs/:id` → `{data: ApiRun}` */
export interface ApiRun {
  run_id: string;
  function_id: string;
  app_id: string;
  event_id: string | null;
  status: RunStatus;
  output: unknown;
  run_started_at: string;
  ended_at: string | null;
}

/** `GET /v1/events/:id` → `{data: ApiEvent}` */
export interface ApiEvent {
  id: string;
  internal_id: string;
  name: string;
  data: Record<string, unknown>;
  ts: number;
  user: Record<string, unknown>;
  v: string | null;
  received_at: string;
  /** When Ingot routed it (null: not yet), and how many functions it triggered (0: none). */
  routed_at: string | null;
  functions_triggered: number | null;
}
