import { defineConfig } from "vitest/config";

// Integration and end-to-end tests start real binaries (collector, Jaeger, Prometheus, PostgreSQL…), so files run
// one at a time and hooks get generous time limits. Tests never assert on speed: that belongs in bench/.
// `lookout-source`: @lookout/instrumentation (a workspace package) is tested from its TypeScript sources, not its dist/.
export default defineConfig({
  ssr: { resolve: { conditions: ["lookout-source", "node"] } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ["default"],
  },
});
