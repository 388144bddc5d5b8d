import type { RunStatus } from "../api/types";

const RUN_TONE: { [K in RunStatus]: string } = {
  Queued: "neutral",
  Running: "info",
  Completed: "success",
  Failed: "danger",
  Cancelled: "muted",
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge-${RUN_TONE[status]}`} data-status={status}>
      <span className={`dot${status === "Running" ? " dot-pulse" : ""}`} aria-hidden="true" />
      {status}
    </span>
  );
}

const STEP_TONE: Record<string, string> = {
  completed: "success",
  failed: "danger",
  errored: "warning",
  planned: "neutral",
  sleeping: "violet",
  waiting: "violet",
  invoking: "info",
  gateway: "info",
  cancelled: "muted",
};

const STEP_LABEL: Record<string, string> = {
  completed: "Completed",
  failed: "Failed",
  errored: "Retrying",
  planned: "Planned",
  sleeping: "Sleeping",
  waiting: "Waiting",
  invoking: "Invoking",
  gateway: "Calling model",
  cancelled: "Cancelled",
};

export function stepTone(status: string): string {
  return STEP_TONE[status] ?? "neutral";
}

export function StepStatusBadge({ status }: { status: string }) {
  const tone = stepTone(status);
  const active = status !== "completed" && status !== "failed" && status !== "cancelled";
  return (
    <span className={`badge badge-${tone}`} data-status={status}>
      <span className={`dot${active ? " dot-pulse" : ""}`} aria-hidden="true" />
      {STEP_LABEL[status] ?? status}
    </span>
  );
}
