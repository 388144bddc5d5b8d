export { gcra, rateLimitAdmits, throttleStart, type GcraDecision, type GcraInput } from "./gcra.js";
export { debounceDue, debounceOnEvent, type DebounceState } from "./debounce.js";
export { batchDue, batchOnEvent, type BatchDecision, type BatchState } from "./batch.js";
export { MAX_PRIORITY_SECONDS, priorityShiftMs } from "./priority.js";
