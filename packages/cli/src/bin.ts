#!/usr/bin/env node
import { ConfigError, createLogger, openIngotServer, resolveConfig } from "@ingot/server";
import pino from "pino";
import { parseCommand, UsageError } from "./args.js";
import { bundledDashboard } from "./dashboard.js";
import { productionNotice, usage } from "./help.js";
import { ingotVersion } from "./version.js";

async function main(): Promise<void> {
  const command = parseCommand(process.argv.slice(2));
  if (command.kind === "help") {
    process.stdout.write(`${usage(ingotVersion())}\n`);
    return;
  }
  if (command.kind === "version") {
    process.stdout.write(`${ingotVersion()}\n`);
    return;
  }
  const config = resolveConfig(command.mode, command.flags);
  // Logs go to stderr, so stdout carries just the ready line (and, in start, how to sign in).
  const logger = createLogger({ level: config.logLevel, destination: pino.destination(2) });
  const dashboardDir = bundledDashboard();
  const server = await openIngotServer(config, {
    logger,
    ...(dashboardDir ? { dashboardDir } : {}),
  });
  await server.start();
  const label = config.mode === "dev" ? "Ingot dev server" : "Ingot server";
  process.stdout.write(`${label} ready at ${server.url}\n`);
  if (config.mode === "start") process.stdout.write(productionNotice(config, server.url));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`ingot: ${error.message}\n(ingot --help lists every flag)\n`);
    process.exit(2);
  }
  // Errors with a code are conditions to fix, not bugs (a port in use, a store written by a newer
  // version): their message says what to do, a stack trace would only bury it.
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  const text =
    error instanceof Error
      ? typeof code === "string"
        ? `${error.message} (${code})`
        : (error.stack ?? error.message)
      : String(error);
  process.stderr.write(`ingot: ${text}\n`);
  process.exit(1);
});
