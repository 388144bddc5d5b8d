/** `priority.run` is seconds in [-600, 600]; a higher value starts earlier (spec §7.1). */
export const MAX_PRIORITY_SECONDS = 600;

/** Milliseconds to move a run's requests ahead in the queue (negative: behind). */
export function priorityShiftMs(value: unknown): number {
  const seconds = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : 0;
  if (!Number.isFinite(seconds)) return 0;
  return Math.round(
    Math.max(-MAX_PRIORITY_SECONDS, Math.min(MAX_PRIORITY_SECONDS, seconds)) * 1000,
  );
}
