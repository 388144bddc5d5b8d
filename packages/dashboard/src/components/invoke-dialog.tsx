import { useState } from "react";
import { isRecord } from "../api/decode";
import type { IngotFunction } from "../api/types";
import { useIngot } from "../context";
import { navigate } from "../router";
import { Dialog } from "./dialog";
import { parseJson } from "../lib/json";
import { JsonEditor } from "./json-editor";
import { useToast } from "./toast";

const checkData = (value: unknown) =>
  isRecord(value) ? undefined : 'The payload is the event\'s "data": a JSON object.';

/** Starts the function directly with a payload (its triggers are bypassed), then opens the run. */
export function InvokeDialog({ fn, onClose }: { fn: IngotFunction; onClose(): void }) {
  const { client } = useIngot();
  const toast = useToast();
  const [text, setText] = useState("{\n  \n}");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const parsed = parseJson(text);
  const data = parsed.ok && isRecord(parsed.value) ? parsed.value : undefined;

  const invoke = async () => {
    if (!data) return;
    setBusy(true);
    setError(undefined);
    try {
      const runId = await client.invoke(fn.id, data);
      toast.show("success", `Invoked ${fn.name}`);
      onClose();
      navigate(`/runs/${runId}`);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      wide
      title={`Invoke ${fn.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={!data || busy}
            onClick={() => void invoke()}
          >
            {busy ? "Invoking…" : "Invoke function"}
          </button>
        </>
      }
    >
      <JsonEditor
        label="Payload (event data)"
        value={text}
        onChange={setText}
        validate={checkData}
        rows={10}
        hint='The run receives an "inngest/function.invoked" event with this data.'
      />
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
