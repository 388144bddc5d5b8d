import { type FormEvent, type KeyboardEvent, useState } from "react";
import type { Mode } from "../api.js";
import { formatMs, type Turn } from "../turn.js";

const MODE_LABELS = { durable: "Durable (Ingot)", direct: "Direct", agent: "Agent" } as const;

/** The question box, the durable / direct / agent toggle with each path's last latency, and options. */
export function Composer(props: {
  busy: boolean;
  maxChars: number;
  mode: Mode;
  clean: boolean;
  lastByMode: Partial<Record<Mode, Turn>>;
  onMode(mode: Mode): void;
  onClean(clean: boolean): void;
  onSend(query: string): void;
}) {
  const [text, setText] = useState("");
  const tooLong = text.length > props.maxChars;
  const canSend = !props.busy && text.trim() !== "" && !tooLong;

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    props.onSend(text.trim());
    setText("");
  }

  function onKey(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey) submit(event);
  }

  return (
    <form className="composer" onSubmit={submit}>
      <div className="options">
        <div className="toggle" role="radiogroup" aria-label="Processing path">
          {(["durable", "direct", "agent"] as const).map((mode) => {
            const last = props.lastByMode[mode];
            return (
              <button
                key={mode}
                type="button"
                role="radio"
                aria-checked={props.mode === mode}
                className={props.mode === mode ? "on" : ""}
                onClick={() => props.onMode(mode)}
                data-testid={`mode-${mode}`}
              >
                <span className="label">{MODE_LABELS[mode]}</span>
                <span className="latency" data-testid={`latency-${mode}`}>
                  {last
                    ? `${formatMs(last.firstTokenMs)} / ${formatMs(last.totalMs)}`
                    : "no answer yet"}
                </span>
              </button>
            );
          })}
        </div>
        <label className="clean">
          <input
            type="checkbox"
            checked={props.clean}
            onChange={(e) => props.onClean(e.target.checked)}
          />
          plain text
        </label>
      </div>
      <div className="input-row">
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          placeholder="Ask about Ingot: durable steps, the AI gateway, streaming…"
          rows={2}
          aria-label="Question"
          data-testid="question"
        />
        <button type="submit" disabled={!canSend} data-testid="send">
          Send
        </button>
      </div>
      {tooLong && (
        <p className="error small">
          The question is {text.length} characters; the limit is {props.maxChars}.
        </p>
      )}
      <p className="hint muted small">
        Durable: the question becomes an event; Ingot runs the function, calls the model and streams
        its tokens (survives restarts, retried). Direct: this server calls the model itself. Agent:
        an AgentKit agent searches the docs with a tool, streamed over Inngest Realtime. Latency:
        first token / total.
      </p>
    </form>
  );
}
