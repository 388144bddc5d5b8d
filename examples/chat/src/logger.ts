import type { LogLevel } from "./config.js";

/**
 * A small structured logger: one JSON line per message on stderr. The SDK accepts it as its
 * `logger` (info/warn/error/debug). Fields whose names look like secrets are masked, so a key
 * passed by mistake never reaches the log (ARCHITECTURE invariant 6).
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const SECRET = /(key|token|secret|password|authorization|cookie)/iu;

export interface LoggerOptions {
  level: LogLevel;
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const base = options.base ?? {};
  const emit =
    (level: Exclude<LogLevel, "silent">) =>
    (message: unknown, fields?: Record<string, unknown>): void => {
      if (RANK[level] < RANK[options.level]) return;
      const line = {
        level,
        time: new Date().toISOString(),
        ...base,
        ...redact(fields),
        msg: text(message),
      };
      write(`${JSON.stringify(line)}\n`);
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** The SDK logs whatever it has (strings, errors, objects); keep them readable. */
function text(message: unknown): string {
  if (typeof message === "string") return message;
  if (message instanceof Error) return `${message.name}: ${message.message}`;
  return JSON.stringify(message) ?? String(message);
}

function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields || typeof fields !== "object") return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (SECRET.test(name)) out[name] = "[redacted]";
    else if (value instanceof Error) out[name] = { name: value.name, message: value.message };
    else out[name] = value;
  }
  return out;
}
