/**
 * Missing or unusable prerequisites stop setup with a message that says what to do. These run the real go command
 * (with an unreachable module proxy), except the "Go too old" case: an old Go cannot be installed here, so a
 * two-line script that answers `go env GOVERSION` like Go 1.20 stands in for it.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./ports.js";
import { assertGo, collectorKey, ensureTelemetrygen, goVersion } from "./tools.js";

const scratch = mkdtempSync(join(tmpdir(), "lookout-tools-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("prerequisites", () => {
  it("finds this machine's Go", () => {
    expect(goVersion()?.text).toMatch(/^go1\.\d+/);
    expect(() => assertGo()).not.toThrow();
  });

  it("says how to install Go when it is not on PATH", () => {
    expect(() => assertGo({ ...process.env, PATH: "/nonexistent" })).toThrow(
      /Go is not installed or not on PATH; building the collector, Jaeger and telemetrygen needs Go 1\.26 or newer\. Install it/,
    );
  });

  it("says Go is too old and how to get a newer one", () => {
    writeFileSync(join(scratch, "go"), '#!/bin/sh\necho "go1.20.3"\n');
    chmodSync(join(scratch, "go"), 0o755);
    expect(() => assertGo({ ...process.env, PATH: `${scratch}:/usr/bin:/bin` })).toThrow(
      /found go1\.20\.3, but the collector 0\.159\.0 modules need Go 1\.26 or newer\. Upgrade Go, or set GOTOOLCHAIN=go1\.26\.0/,
    );
  });

  it("says the module proxy could not be reached, with the go command's own error", async () => {
    const closed = await freePort(); // nothing listens here
    const env = {
      ...process.env,
      GOPROXY: `http://127.0.0.1:${closed}`,
      GOMODCACHE: join(scratch, "gomod"),
      GOFLAGS: "-mod=mod",
      GOSUMDB: "off",
    };
    const lines: string[] = [];
    await expect(ensureTelemetrygen((l) => lines.push(l), join(scratch, "cache"), env)).rejects.toThrow(
      /building telemetrygen failed[\s\S]*connection refused[\s\S]*The Go module proxy could not be reached\. Check the network or set GOPROXY/,
    );
    expect(lines[0]).toMatch(/installing telemetrygen v0\.160\.0/);
  });
});

describe("collector cache key", () => {
  it("changes with the manifest, so an edited manifest is rebuilt", () => {
    expect(collectorKey("a")).toMatch(/^otelcol-lookout-0\.159\.0-[0-9a-f]{12}$/);
    expect(collectorKey("a")).not.toBe(collectorKey("b"));
  });
});
