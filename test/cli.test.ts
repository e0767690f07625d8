// The lookout command as a user runs it: strict flags, --version. (Each command's --help is in test/readme.test.ts.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../shared/index.js";
import { COLLECTOR_VERSION, JAEGER_RELEASE, TELEMETRYGEN_VERSION } from "../stack/index.js";
import { lookout } from "../testkit/index.js";

describe("lookout CLI", () => {
  it("refuses a misspelt flag before doing anything, naming it (stack up --no-setpu used to run setup)", () => {
    const result = lookout(["stack", "up", "--no-setpu"], { ...process.env });
    expect(result.status).toBe(2);
    expect(result.output).toContain("lookout: stack up: Unknown option '--no-setpu'");
    expect(result.output).toContain("Usage: lookout stack up|down|status");
    expect(result.output).not.toMatch(/tools cache|starting /);
  });

  it.each([
    [["setup", "--only"], "setup: Option '--only <value>' argument missing"],
    [["ports", "--markdown=yes"], "ports: Option '--markdown' does not take an argument"],
    [["validate", "extra"], 'validate: unexpected argument "extra"'],
    [["synthetics", "run", "relaycore-chat", "--jsn"], "synthetics run: Unknown option '--jsn'"],
    [["admin", "token", "--ttl"], "admin token: Option '--ttl <value>' argument missing"],
  ])("refuses %j with exit 2", (args, message) => {
    const result = lookout(args, { ...process.env });
    expect(result.status).toBe(2);
    expect(result.output).toContain(`lookout: ${message}`);
  });

  it("prints its version and every pinned component's", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const result = lookout(["--version"], { ...process.env });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`lookout ${pkg.version}`);
    for (const pinned of [`v${COLLECTOR_VERSION}`, `v${TELEMETRYGEN_VERSION}`, JAEGER_RELEASE, "prometheus"]) {
      expect(result.stdout).toContain(pinned);
    }
  });
});
