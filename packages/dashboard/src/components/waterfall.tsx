import type { CSSProperties } from "react";
import { formatDuration } from "../lib/format";
import { ticks, type Waterfall, type WaterfallRow } from "../lib/waterfall";
import { stepTone } from "./status-badge";

const OP_LABEL: Record<string, string> = {
  StepRun: "run",
  Step: "run",
  Sleep: "sleep",
  WaitForEvent: "wait",
  WaitForSignal: "signal",
  InvokeFunction: "invoke",
  AIGateway: "ai",
  Gateway: "fetch",
  StepPlanned: "planned",
};

export function opLabel(op: string): string {
  return OP_LABEL[op] ?? op.toLowerCase();
}

const pct = (value: number, span: number) => `${Math.max(0, Math.min(100, (value / span) * 100))}%`;

function bar(row: WaterfallRow, chart: Waterfall): CSSProperties {
  const span = chart.end - chart.start;
  return {
    left: pct(row.start - chart.start, span),
    width: `max(3px, ${pct(row.end - row.start, span)})`,
  };
}

/** The stretch of a step spent on attempts that failed: from its start to the last failure. */
function failingPart(row: WaterfallRow, chart: Waterfall): CSSProperties {
  const span = chart.end - chart.start;
  const last = Math.max(...row.errors.map((error) => error.at));
  return { left: pct(row.start - chart.start, span), width: pct(last - row.start, span) };
}

function rowSummary(row: WaterfallRow): string {
  const parts = [formatDuration(row.durationMs)];
  if (row.step.attempts > 1) parts.push(`${row.step.attempts} attempts`);
  if (row.until !== undefined && row.open)
    parts.push(`wakes in ${formatDuration(Math.max(0, row.until - row.end))}`);
  return parts.join(" · ");
}

interface WaterfallProps {
  chart: Waterfall;
  selected: string | undefined;
  onSelect(stepId: string): void;
  runStatus: string;
}

/**
 * The steps of a run as bars on one time axis. Each row is a button (selects the step);
 * failed attempts are marked on the bar where they happened.
 */
export function WaterfallChart({ chart, selected, onSelect, runStatus }: WaterfallProps) {
  const span = chart.end - chart.start;
  const marks = ticks(span);
  const grid = marks.map((at) => (
    <span key={at} className="gridline" style={{ left: pct(at, span) }} aria-hidden="true" />
  ));
  return (
    <div className="waterfall" role="group" aria-label="Step timeline">
      <div className="waterfall-axis" aria-hidden="true">
        <span className="waterfall-label-col" />
        <div className="waterfall-track">
          {marks.map((at) => (
            <span key={at} className="tick" style={{ left: pct(at, span) }}>
              {at === 0 ? "0" : `+${formatDuration(at)}`}
            </span>
          ))}
        </div>
      </div>
      <div className="waterfall-row waterfall-run" aria-label="Whole run">
        <span className="waterfall-label-col">
          <span className="op-tag">run</span>
          <span className="step-name">Run</span>
        </span>
        <div className="waterfall-track">
          {grid}
          <span
            className={`bar bar-run bar-${runStatus.toLowerCase()}`}
            style={{
              left: pct(chart.runStart - chart.start, span),
              width: `max(3px, ${pct(chart.runEnd - chart.runStart, span)})`,
            }}
          />
        </div>
        <span className="waterfall-duration">{formatDuration(chart.runEnd - chart.runStart)}</span>
      </div>
      <ol className="waterfall-rows">
        {chart.rows.map((row) => {
          const tone = stepTone(row.step.status);
          const isSelected = row.step.step_id === selected;
          return (
            <li key={row.step.step_id}>
              <button
                type="button"
                className={`waterfall-row${isSelected ? " selected" : ""}`}
                aria-pressed={isSelected}
                data-step-name={row.step.name}
                onClick={() => onSelect(row.step.step_id)}
              >
                <span className="waterfall-label-col">
                  <span className="op-tag">{opLabel(row.step.op)}</span>
                  <span className="step-name" title={row.step.name}>
                    {row.step.name}
                  </span>
                </span>
                <span className="waterfall-track">
                  <span
                    className={`bar bar-${tone}${row.open ? " bar-open" : ""}`}
                    style={bar(row, chart)}
                  />
                  {row.errors.length > 0 ? (
                    <span className="bar bar-failing" style={failingPart(row, chart)} />
                  ) : null}
                  {row.errors.map((error) => (
                    <span
                      key={`${error.attempt}-${error.at}`}
                      className="attempt-mark"
                      style={{ left: pct(error.at - chart.start, span) }}
                      title={`Attempt ${error.attempt + 1} failed: ${error.message}`}
                    />
                  ))}
                </span>
                <span className="waterfall-duration">{rowSummary(row)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
