import { benchCore, describeCore } from "./core.js";

/** `npm run bench [-- --quick]`: measures and prints one summary line per metric. */
async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const sequential = quick ? 200 : 500;
  const concurrent = quick ? 1_000 : 3_000;
  for (const checkpointing of [true, false]) {
    const result = await benchCore({ checkpointing, sequential, concurrent });
    process.stdout.write(`${describeCore(result)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
