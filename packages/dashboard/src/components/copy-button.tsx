import { useState } from "react";
import { Icon } from "./icons";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access is refused on plain http to a non-loopback host: nothing to do.
    }
  };
  return (
    <button
      type="button"
      className="icon-button copy-button"
      aria-label={label}
      title={label}
      onClick={() => void copy()}
    >
      <Icon name={copied ? "check" : "copy"} size={14} />
    </button>
  );
}
