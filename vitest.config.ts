import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["ingot-source"] },
  ssr: { resolve: { conditions: ["ingot-source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
