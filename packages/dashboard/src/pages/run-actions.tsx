import { useState } from "react";
import type { RunDetail } from "../api/types";
import { isActive } from "../api/types";
import { Dialog } from "../components/dialog";
import { useToast } from "../components/toast";
import { useIngot } from "../context";
import { navigate } from "../router";

/** Rerun (a new run with the same events) and cancel (with a confirmation). */
export function RunActions({ run, onChanged }: { run: RunDetail; onChanged(): void }) {
  const { client } = useIngot();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<"cancel" | "rerun">();

  const rerun = async () => {
    setBusy("rerun");
    try {
      const id = await client.rerun(run.run_id);
      toast.show("success", "Started a new run with the same events");
      navigate(`/runs/${id}`);
    } catch (cause) {
      toast.show(
        "error",
        `Rerun failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    } finally {
      setBusy(undefined);
    }
  };

  const cancel = async () => {
    setBusy("cancel");
    try {
      await client.cancelRun(run.run_id);
      toast.show("success", "Run cancelled");
      setConfirming(false);
      onChanged();
    } catch (cause) {
      toast.show(
        "error",
        `Cancel failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <button
        type="button"
        className="button"
        disabled={busy !== undefined}
        onClick={() => void rerun()}
      >
        {busy === "rerun" ? "Starting…" : "Rerun"}
      </button>
      {isActive(run.status) ? (
        <button
          type="button"
          className="button button-danger-outline"
          onClick={() => setConfirming(true)}
        >
          Cancel run
        </button>
      ) : null}
      <Dialog
        open={confirming}
        title="Cancel this run?"
        onClose={() => setConfirming(false)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Keep running
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={busy === "cancel"}
              onClick={() => void cancel()}
            >
              {busy === "cancel" ? "Cancelling…" : "Cancel run"}
            </button>
          </>
        }
      >
        <p>
          The run stops before its next step. Steps already completed stay as they are; a step
          running right now finishes, but its result is not used.
        </p>
      </Dialog>
    </>
  );
}
