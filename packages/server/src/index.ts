export {
  createIngotServer,
  openIngotServer,
  type IngotServer,
  type ServerOptions,
} from "./server.js";
export {
  resolveConfig,
  defaultConfig,
  ConfigError,
  type ServerConfig,
  type ConfigFlags,
  type RawSettings,
  type ServerMode,
} from "./config.js";
export {
  SETTINGS,
  SettingError,
  flagLabel,
  parseFlagValue,
  parseDuration,
  type Setting,
  type SettingKind,
} from "./settings.js";
export { createLogger, type Logger } from "./logger.js";
export { hashSigningKey, signBody, verifySignature, bearerMatches } from "./security/signing.js";
export { type Clock, systemClock } from "./clock.js";
export { seededEventIds } from "./ids.js";
