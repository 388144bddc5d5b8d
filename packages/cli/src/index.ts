export { parseCommand, USAGE, UsageError, type Command } from "./args.js";
