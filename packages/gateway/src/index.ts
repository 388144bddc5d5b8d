export { placeAuth } from "./auth.js";
export {
  embeddedError,
  isQuotaError,
  isRetriableFailure,
  isRetriableStatus,
  statusOfType,
} from "./classify.js";
export {
  ProviderClient,
  MAX_RESPONSE_BYTES,
  type AiCallRequest,
  type CallOutcome,
  type FetchOutcome,
  type InferStreamOptions,
  type ProviderClientOptions,
} from "./call.js";
export {
  retryAfterMs,
  retryAfterFromBody,
  parseGoDuration,
  type HeaderBag,
} from "./retry-after.js";
export { identifyCall, type CallIdentity } from "./identify.js";
export { wireFamily, WireFamily } from "./formats.js";
export { extractUsage, EMPTY_USAGE, type TokenUsage } from "./usage.js";
export {
  extractText,
  extractStopReason,
  extractToolCalls,
  TEXT_PREVIEW_CHARS,
  type ToolCallSummary,
} from "./response-text.js";
export { PRICE_TABLE, type ModelPrice, type PriceTable } from "./prices.js";
export { estimateCostUsd, findPrice, type CostEstimate } from "./cost.js";
export {
  streamMode,
  prepareStreamingRequest,
  type StreamMode,
  type StreamRequest,
} from "./stream-mode.js";
export { parseSse, type SseEvent } from "./sse.js";
export {
  createStreamAssembler,
  type AssembledStream,
  type StreamAssembler,
  type StreamDelta,
  type StreamFailure,
} from "./assemble/index.js";
export { redactUrl, redactHeaders, isSecretParam, scrubSecrets, REDACTED } from "./redact.js";
