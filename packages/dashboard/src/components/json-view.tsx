import { type ReactNode, useMemo, useState } from "react";
import { CopyButton } from "./copy-button";

/** Pretty-printed JSON with light syntax colours; long documents start folded. */

const TOKEN =
  /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*"(\s*:)?|\b(?:true|false|null)\b|-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)/g;

function highlight(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const at = match.index;
    if (at > last) out.push(text.slice(last, at));
    const token = match[0];
    const kind = token.startsWith('"')
      ? match[2]
        ? "key"
        : "string"
      : token === "true" || token === "false"
        ? "boolean"
        : token === "null"
          ? "null"
          : "number";
    out.push(
      <span key={at} className={`json-${kind}`}>
        {token}
      </span>,
    );
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function stringify(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

const FOLD_LINES = 40;

export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = useMemo(() => stringify(value), [value]);
  const lines = text.split("\n").length;
  const [open, setOpen] = useState(lines <= FOLD_LINES);
  const shown = open ? text : text.split("\n").slice(0, 12).join("\n");
  const nodes = useMemo(() => highlight(shown), [shown]);
  return (
    <div className="json-view">
      <div className="json-toolbar">
        <span className="json-label">{label}</span>
        <CopyButton text={text} label={`Copy ${label}`} />
      </div>
      <pre tabIndex={0} aria-label={label}>
        <code>{nodes}</code>
      </pre>
      {lines > FOLD_LINES ? (
        <button type="button" className="link-button" onClick={() => setOpen(!open)}>
          {open ? "Fold" : `Show all ${lines} lines`}
        </button>
      ) : null}
    </div>
  );
}
