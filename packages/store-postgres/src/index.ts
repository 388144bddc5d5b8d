export { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export {
  PostgresStoreError,
  type PostgresStoreErrorCode,
  type ReconnectOptions,
} from "./database.js";
export { PostgresBroadcast, type BroadcastListener } from "./broadcast.js";
export {
  CONTROL_CHANNEL,
  QUEUE_CHANNEL,
  type ControlListener,
  type ControlMessage,
  type QueueListener,
} from "./notify.js";
export { MIGRATIONS } from "./migrations/index.js";
