export { parseCommand, UsageError, type Command } from "./args.js";
export { settingsTable, usage } from "./help.js";
export { ingotVersion } from "./version.js";
