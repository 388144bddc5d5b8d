import type { Trigger } from "../api/types";
import { Link, withQuery } from "../router";

/** Event triggers link to that event's stream; cron triggers show their schedule. */
export function Triggers({ triggers }: { triggers: Trigger[] }) {
  if (triggers.length === 0) return <span className="muted">invoke only</span>;
  return (
    <ul className="trigger-list">
      {triggers.map((trigger, index) => (
        <li key={index}>
          {trigger.event !== undefined ? (
            <span className="trigger trigger-event">
              <span className="trigger-kind">event</span>
              <Link to={withQuery("/events", { name: trigger.event })} className="mono">
                {trigger.event}
              </Link>
              {trigger.expression ? (
                <span className="mono muted small"> if {trigger.expression}</span>
              ) : null}
            </span>
          ) : (
            <span className="trigger trigger-cron">
              <span className="trigger-kind">cron</span>
              <span className="mono">{trigger.cron ?? "?"}</span>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
