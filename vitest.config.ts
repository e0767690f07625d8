import { defineConfig } from "vitest/config";

// Three projects (`vitest run --project <name>`; plain `vitest run` and `npm test` run all three):
// - unit: every test that starts no process — co-located `*.test.ts` outside test/. The whole set runs in well under
//   a minute (`npm run test:unit`).
// - integration: what starts real binaries (collector, Prometheus, promtool, PostgreSQL, the CLI…): everything under
//   test/ but the end-to-end suites, and co-located files named `*.integration.test.ts` or `*.browser.test.ts`.
// - e2e: the suites that run the whole native stack (`lookout stack up`) or an alerting stack end to end.
// Files run one at a time and hooks get generous time limits: integration tests share a 2-core machine with real
// components. Tests never assert on speed: that belongs in bench/.
// `lookout-source`: @lookout/instrumentation (a workspace package) is tested from its TypeScript sources, not its dist/.
const IGNORED = ["node_modules/**", "dist/**", "dist-dev/**"];
const E2E = ["test/e2e/**/*.test.ts", "test/**/e2e.test.ts"];
const PROCESS_TESTS = ["**/*.integration.test.ts", "**/*.browser.test.ts"];

export default defineConfig({
  ssr: { resolve: { conditions: ["lookout-source", "node"] } },
  test: {
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...IGNORED, "test/**", ...PROCESS_TESTS],
          // Nothing outside the test process, so files can share the machine.
          fileParallelism: true,
        },
      },
      {
        extends: true,
        test: { name: "integration", include: ["test/**/*.test.ts", ...PROCESS_TESTS], exclude: [...IGNORED, ...E2E] },
      },
      { extends: true, test: { name: "e2e", include: E2E, exclude: IGNORED } },
    ],
  },
});
