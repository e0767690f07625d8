// setUpSuite: a suite whose set-up fails reports its tests as failed, with the set-up's error (vitest on a fixture).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../shared/index.js";

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  numPendingTests: number;
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

describe("setUpSuite", () => {
  it("fails every test of a suite whose set-up throws, with the set-up's error, and runs the others", () => {
    const dir = mkdtempSync(join(tmpdir(), "lookout-suite-"));
    try {
      const report = join(dir, "report.json");
      const run = spawnSync(
        process.execPath,
        [
          join(REPO_ROOT, "node_modules", "vitest", "vitest.mjs"),
          "run",
          "--config",
          join(REPO_ROOT, "testkit", "fixtures", "vitest.config.ts"),
          "--reporter=json",
          `--outputFile=${report}`,
        ],
        { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, CI: "true" } },
      );
      expect(run.status, run.stdout + run.stderr).toBe(1);
      const result = JSON.parse(readFileSync(report, "utf8")) as JsonReport;
      const tests = result.testResults.flatMap((f) => f.assertionResults);
      expect(tests.map((t) => [t.title, t.status])).toEqual([
        ["first", "failed"],
        ["second", "failed"],
        ["sees what the set-up made", "passed"],
      ]);
      expect(result.numPendingTests).toBe(0);
      for (const t of tests.filter((x) => x.status === "failed")) {
        expect(t.failureMessages.join("\n")).toContain("bind: address already in use");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
