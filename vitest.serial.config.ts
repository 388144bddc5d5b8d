import { defineConfig } from "vitest/config";

/** Crash and load tests: one file at a time, so their timings are not skewed by other suites. */
export default defineConfig({
  resolve: { conditions: ["ingot-source"] },
  ssr: { resolve: { conditions: ["ingot-source"] } },
  test: {
    include: ["tests/**/*.serial.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
