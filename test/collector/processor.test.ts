/**
 * Lookout's redaction processor (otel-collector/processor/lookoutredactionprocessor) has Go unit tests: every rule
 * kind in every place, non-PII untouched, the shipped gateway.yaml rules, the derived pre-filter and config
 * validation. This runs them with the real go command, so `npm test` covers them; a failure shows Go's output.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/index.js";
import { assertGo } from "../../stack/index.js";

const MODULE = join(REPO_ROOT, "otel-collector", "processor", "lookoutredactionprocessor");

describe("lookout_redaction processor (Go)", () => {
  it("passes go vet and go test", () => {
    assertGo(); // says how to install Go when it is missing or too old
    for (const args of [
      ["vet", "./..."],
      ["test", "-count=1", "./..."],
    ]) {
      const run = spawnSync("go", args, {
        cwd: MODULE,
        encoding: "utf8",
        env: { ...process.env, CGO_ENABLED: "0" },
        timeout: 900_000,
      });
      const output = `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}`;
      expect({ command: `go ${args.join(" ")}`, status: run.status, output }).toMatchObject({ status: 0 });
      if (args[0] === "test") console.log(output.trim());
    }
  }, 900_000);
});
