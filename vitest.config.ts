import { defineConfig } from "vitest/config";

/**
 * All suites except `*.serial.test.ts` (timing-sensitive ones, run alone afterwards by
 * `vitest.serial.config.ts`). Workspace packages resolve to their TypeScript sources.
 */
export default defineConfig({
  resolve: { conditions: ["ingot-source"] },
  ssr: { resolve: { conditions: ["ingot-source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.serial.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
