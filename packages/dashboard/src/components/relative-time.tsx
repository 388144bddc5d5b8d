import { useNow } from "../hooks/use-now";
import { formatRelative, formatTime } from "../lib/format";

/** "12s ago", with the exact time as a tooltip and in the `dateTime` attribute. */
export function RelativeTime({ iso }: { iso: string | null }) {
  const now = useNow(5000);
  if (iso === null) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatTime(iso)}>
      {formatRelative(iso, now)}
    </time>
  );
}
