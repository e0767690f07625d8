import { defineConfig } from "vitest/config";

// Integration and end-to-end tests start real binaries (collector, Jaeger, Prometheus, PostgreSQL…), so files run
// one at a time and hooks get generous time limits. Tests never assert on speed: that belongs in bench/.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ["default"],
  },
});
