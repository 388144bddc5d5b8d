export { createIngotServer, type IngotServer, type ServerOptions } from "./server.js";
export {
  resolveConfig,
  defaultConfig,
  ConfigError,
  parseRetention,
  type ServerConfig,
  type ConfigFlags,
  type ServerMode,
} from "./config.js";
export { createLogger, type Logger } from "./logger.js";
export { hashSigningKey, signBody, verifySignature, bearerMatches } from "./security/signing.js";
export { type Clock, systemClock } from "./clock.js";
export { seededEventIds } from "./ids.js";
