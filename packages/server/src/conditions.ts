import { extractEqualityKey, interpolateEvent } from "@ingot/engine";

/**
 * Interpolates the trigger event into a wait's condition and extracts its index key. An invalid
 * expression is kept as written: it never matches, so the wait ends by its timeout.
 */
export function prepareCondition(
  source: string | undefined,
  trigger: Record<string, unknown>,
): { condition: string | null; key: ReturnType<typeof extractEqualityKey> } {
  if (source === undefined || source.trim() === "") return { condition: null, key: undefined };
  try {
    const condition = interpolateEvent(source, trigger);
    return { condition, key: extractEqualityKey(condition) };
  } catch {
    return { condition: source, key: undefined };
  }
}
