import { useState } from "react";
import { useFunctions, useIngot } from "../context";
import { useResource } from "../hooks/use-resource";
import { formatTime } from "../lib/format";
import { type BulkKind, bulkSelection, type RunFilters } from "../lib/run-filters";
import { Dialog } from "./dialog";
import { Spinner } from "./states";
import { useToast } from "./toast";

const COPY: { [K in BulkKind]: { title: string; verb: string; done: (n: number) => string } } = {
  cancel: {
    title: "Cancel matching runs",
    verb: "Cancel",
    done: (n) => `Cancelled ${n} run${n === 1 ? "" : "s"}`,
  },
  replay: {
    title: "Replay matching runs",
    verb: "Replay",
    done: (n) => `Started ${n} new run${n === 1 ? "" : "s"}`,
  },
};

interface BulkActionDialogProps {
  kind: BulkKind;
  filters: RunFilters;
  onClose(): void;
  onDone?(): void;
}

/**
 * Confirms a bulk cancel or replay: says exactly which runs the filter selects and how many
 * there are now, then calls `POST /v1/runs/cancel` or `/replay` with the same selection.
 * Mount it when the user asks: rolling time windows ("last hour") end at that moment.
 */
export function BulkActionDialog({ kind, filters, onClose, onDone }: BulkActionDialogProps) {
  const { client } = useIngot();
  const { nameOf } = useFunctions();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [now] = useState(() => Date.now());
  const plan = bulkSelection(kind, filters, now);
  const preview = useResource(async () => {
    if (plan.statuses.length === 0) return { count: 0, more: false };
    const { selection } = plan;
    const page = await client.runs({
      status: plan.statuses,
      ...(selection.function_id ? { functionId: selection.function_id } : {}),
      ...(selection.from ? { from: selection.from } : {}),
      ...(selection.until ? { until: selection.until } : {}),
      limit: 500,
    });
    return { count: page.data.length, more: page.cursor !== null };
  }, [kind, plan.selection]);
  const copy = COPY[kind];
  const count = preview.data?.count;

  const run = async () => {
    setBusy(true);
    try {
      const n =
        kind === "cancel"
          ? await client.cancelMany(plan.selection)
          : (await client.replayMany(plan.selection)).replayed;
      toast.show("success", copy.done(n));
      onDone?.();
      onClose();
    } catch (cause) {
      toast.show(
        "error",
        `${copy.verb} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      title={copy.title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Keep them
          </button>
          <button
            type="button"
            className={`button ${kind === "cancel" ? "button-danger" : "button-primary"}`}
            disabled={busy || count === 0 || count === undefined}
            onClick={() => void run()}
          >
            {busy ? "Working…" : `${copy.verb} ${count ?? ""} run${count === 1 ? "" : "s"}`}
          </button>
        </>
      }
    >
      <p>This applies to every run that matches:</p>
      <dl className="definition-list">
        <dt>Function</dt>
        <dd>{plan.selection.function_id ? nameOf(plan.selection.function_id) : "All functions"}</dd>
        <dt>Status</dt>
        <dd>{plan.statuses.length > 0 ? plan.statuses.join(", ") : "—"}</dd>
        <dt>Created</dt>
        <dd>
          {plan.selection.from || plan.selection.until
            ? `${plan.selection.from ? formatTime(plan.selection.from) : "the beginning"} → ${plan.selection.until ? formatTime(plan.selection.until) : "now"}`
            : "Any time"}
        </dd>
      </dl>
      {plan.statuses.length === 0 ? (
        <p className="field-error">
          Only queued or running runs can be cancelled; the status filter selects none.
        </p>
      ) : preview.error ? (
        <p className="field-error">Could not count the runs: {preview.error.message}</p>
      ) : count === undefined ? (
        <p className="muted">
          <Spinner /> Counting…
        </p>
      ) : (
        <p className="bulk-count" role="status">
          <strong>{preview.data?.more ? "500+" : count}</strong> run{count === 1 ? "" : "s"} match
          {kind === "replay"
            ? "; each is run again as a new run with the same events."
            : " and will stop at their next step."}
        </p>
      )}
    </Dialog>
  );
}
