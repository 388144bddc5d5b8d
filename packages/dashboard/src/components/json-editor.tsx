import { type KeyboardEvent, useId } from "react";
import { parseJson } from "../lib/json";

interface JsonEditorProps {
  label: string;
  value: string;
  onChange(value: string): void;
  /** Checks the parsed value; returns what is wrong, or undefined. */
  validate?(value: unknown): string | undefined;
  rows?: number;
  hint?: string;
}

/** A `<textarea>` for JSON: validated as you type, formatted on request, Tab indents. */
export function JsonEditor({ label, value, onChange, validate, rows = 12, hint }: JsonEditorProps) {
  const id = useId();
  const parsed = parseJson(value);
  const problem = parsed.ok ? validate?.(parsed.value) : parsed.message;
  const format = () => {
    if (parsed.ok) onChange(JSON.stringify(parsed.value, null, 2));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== "Tab" || event.shiftKey) return;
    event.preventDefault();
    const area = event.currentTarget;
    const { selectionStart, selectionEnd } = area;
    onChange(`${value.slice(0, selectionStart)}  ${value.slice(selectionEnd)}`);
    requestAnimationFrame(() => area.setSelectionRange(selectionStart + 2, selectionStart + 2));
  };
  return (
    <div className="json-editor">
      <div className="field-row">
        <label htmlFor={id} className="field-label">
          {label}
        </label>
        <button type="button" className="link-button" onClick={format} disabled={!parsed.ok}>
          Format
        </button>
      </div>
      <textarea
        id={id}
        className="code-input"
        value={value}
        rows={rows}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        aria-invalid={problem !== undefined}
        aria-describedby={`${id}-status`}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <p id={`${id}-status`} className={problem ? "field-error" : "field-hint"}>
        {problem ?? hint ?? "Valid JSON."}
      </p>
    </div>
  );
}
