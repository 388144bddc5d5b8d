export { AppSyncer, SyncError, type SyncOutcome } from "./syncer.js";
export { DISCOVERY_CANDIDATES, normalizeAppUrl } from "./urls.js";
export { validateFunctions } from "./validate.js";
