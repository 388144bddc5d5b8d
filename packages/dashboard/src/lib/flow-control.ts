import { isRecord } from "../api/decode";

/** A function's configuration (spec §7.1) summarised for people: one line per setting. */
export interface Setting {
  kind: string;
  label: string;
  value: string;
}

const str = (value: unknown): string | undefined =>
  typeof value === "string" || typeof value === "number" ? String(value) : undefined;

function keyed(text: string, key: unknown): string {
  const k = str(key);
  return k ? `${text} per ${k}` : text;
}

function concurrency(value: unknown): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  const parts = items.map((item) => {
    if (typeof item === "number") return `${item} at a time`;
    if (!isRecord(item)) return undefined;
    const scope = str(item.scope);
    return keyed(
      `${str(item.limit) ?? "?"} at a time${scope && scope !== "fn" ? ` (${scope})` : ""}`,
      item.key,
    );
  });
  const text = parts.filter(Boolean).join("; ");
  return text || undefined;
}

type Describe = (value: unknown) => string | undefined;

const DESCRIBE: { kind: string; label: string; describe: Describe }[] = [
  { kind: "concurrency", label: "Concurrency", describe: concurrency },
  {
    kind: "throttle",
    label: "Throttle",
    describe: (v) =>
      isRecord(v)
        ? keyed(
            `${str(v.limit)} per ${str(v.period)}${v.burst ? `, burst ${str(v.burst)}` : ""}`,
            v.key,
          )
        : undefined,
  },
  {
    kind: "rateLimit",
    label: "Rate limit",
    describe: (v) =>
      isRecord(v) ? keyed(`${str(v.limit)} per ${str(v.period)}`, v.key) : undefined,
  },
  {
    kind: "debounce",
    label: "Debounce",
    describe: (v) =>
      isRecord(v)
        ? keyed(`${str(v.period)}${v.timeout ? `, at most ${str(v.timeout)}` : ""}`, v.key)
        : undefined,
  },
  {
    kind: "batchEvents",
    label: "Batch",
    describe: (v) =>
      isRecord(v) ? keyed(`up to ${str(v.maxSize)} events or ${str(v.timeout)}`, v.key) : undefined,
  },
  {
    kind: "priority",
    label: "Priority",
    describe: (v) => (isRecord(v) ? str(v.run) : undefined),
  },
  {
    kind: "singleton",
    label: "Singleton",
    describe: (v) => (isRecord(v) ? keyed(`mode ${str(v.mode)}`, v.key) : undefined),
  },
  {
    kind: "timeouts",
    label: "Timeouts",
    describe: (v) =>
      isRecord(v)
        ? [v.start ? `start ${str(v.start)}` : "", v.finish ? `finish ${str(v.finish)}` : ""]
            .filter(Boolean)
            .join(", ") || undefined
        : undefined,
  },
  { kind: "idempotency", label: "Idempotency", describe: (v) => str(v) },
  {
    kind: "cancel",
    label: "Cancel on",
    describe: (v) =>
      Array.isArray(v)
        ? v
            .filter(isRecord)
            .map(
              (c) =>
                `${str(c.event)}${c.if ? ` if ${str(c.if)}` : ""}${c.timeout ? ` within ${str(c.timeout)}` : ""}`,
            )
            .join("; ") || undefined
        : undefined,
  },
];

/** Retries of the function's step (SDK default: 4, i.e. 5 attempts). */
export function retriesOf(config: Record<string, unknown>): number {
  const steps = isRecord(config.steps) ? Object.values(config.steps) : [];
  const step = steps.find(isRecord);
  const retries = isRecord(step) && isRecord(step.retries) ? step.retries.attempts : undefined;
  return typeof retries === "number" ? retries : 4;
}

export function flowControl(config: Record<string, unknown>): Setting[] {
  const out: Setting[] = [];
  for (const entry of DESCRIBE) {
    if (config[entry.kind] === undefined) continue;
    const value = entry.describe(config[entry.kind]);
    if (value) out.push({ kind: entry.kind, label: entry.label, value });
  }
  return out;
}

/** Where Ingot calls the function: the step's runtime URL. */
export function runtimeUrl(config: Record<string, unknown>): string | undefined {
  const steps = isRecord(config.steps) ? Object.values(config.steps) : [];
  const step = steps.find(isRecord);
  return isRecord(step) && isRecord(step.runtime) ? str(step.runtime.url) : undefined;
}
