import { useState } from "react";
import { isRecord } from "../api/decode";
import { useIngot } from "../context";
import { navigate } from "../router";
import { Dialog } from "./dialog";
import { parseJson } from "../lib/json";
import { JsonEditor } from "./json-editor";
import { useToast } from "./toast";

export const EVENT_TEMPLATE = JSON.stringify({ name: "app/user.signed.up", data: {} }, null, 2);

/** What `POST /v1/events` accepts: an event object, or an array of them. */
export function checkEventPayload(value: unknown): string | undefined {
  const events = Array.isArray(value) ? value : [value];
  if (events.length === 0) return "Send at least one event.";
  for (const [index, event] of events.entries()) {
    const where = Array.isArray(value) ? `Event ${index + 1}: ` : "";
    if (!isRecord(event)) return `${where}an event is an object like {"name": "…", "data": {}}.`;
    if (typeof event.name !== "string" || event.name.trim() === "")
      return `${where}"name" is required: a non-empty string such as "app/user.created".`;
    if (event.data !== undefined && !isRecord(event.data))
      return `${where}"data" must be an object.`;
  }
  return undefined;
}

/**
 * A JSON editor for one event (or an array of them), sent through the REST API, so it works in
 * `start` mode without an event key. Opens the event's page on success, where its runs appear.
 */
export function SendEventDialog(props: { open: boolean; onClose(): void; initial?: string }) {
  const { client } = useIngot();
  const toast = useToast();
  const [text, setText] = useState(props.initial ?? EVENT_TEMPLATE);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const parsed = parseJson(text);
  const valid = parsed.ok && checkEventPayload(parsed.value) === undefined;

  const send = async () => {
    if (!parsed.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      const ids = await client.sendEvent(parsed.value);
      toast.show("success", ids.length === 1 ? "Event sent" : `${ids.length} events sent`);
      props.onClose();
      const first = ids[0];
      if (first) navigate(`/events/${first}`);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      title="Send an event"
      wide
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={!valid || busy}
            onClick={() => void send()}
          >
            {busy ? "Sending…" : "Send event"}
          </button>
        </>
      }
    >
      <JsonEditor
        label="Event payload"
        value={text}
        onChange={setText}
        validate={checkEventPayload}
        rows={14}
        hint='An object with "name" and "data" (or an array of them). Functions whose trigger matches the name start a run.'
      />
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
