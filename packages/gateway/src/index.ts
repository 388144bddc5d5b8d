export { placeAuth } from "./auth.js";
export { embeddedError, isRetriableStatus } from "./classify.js";
export {
  ProviderClient,
  retryAfterMs,
  MAX_RESPONSE_BYTES,
  type AiCallRequest,
  type CallOutcome,
  type FetchOutcome,
} from "./call.js";
