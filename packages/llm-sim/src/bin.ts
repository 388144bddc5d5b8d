#!/usr/bin/env node
import { runCli } from "./cli.js";

const write = (line: string): void => {
  process.stdout.write(line);
};

runCli(process.argv.slice(2), write).then(
  (sim) => {
    if (!sim) return;
    const stop = (): void => {
      void sim.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  },
  (err: unknown) => {
    process.stderr.write(`ingot-llm-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
