/**
 * Missing or unusable prerequisites stop setup with a message that says what to do. These run the real go command
 * (with an unreachable module proxy), except the "Go too old" case: an old Go cannot be installed here, so a
 * two-line script that answers `go env GOVERSION` like Go 1.20 stands in for it.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../shared/index.js";
import { freePort } from "../testkit/index.js";
import {
  assertGo,
  COLLECTOR_MANIFEST,
  collectorKey,
  ensureTelemetrygen,
  goVersion,
  localModulePaths,
} from "./tools.js";

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

  it("changes with the source of a local module the manifest builds, not with its tests", () => {
    const root = join(scratch, "repo");
    const module = join(root, "otel-collector", "processor", "p");
    mkdirSync(join(module, "testdata"), { recursive: true });
    writeFileSync(join(module, "go.mod"), "module lookout.local/p\n");
    writeFileSync(join(module, "p.go"), "package p\n");
    writeFileSync(join(module, "p_test.go"), "package p\n");
    writeFileSync(join(module, "testdata", "x.yaml"), "a: 1\n");
    const manifest = "processors:\n  - gomod: lookout.local/p v0.159.0\n    path: ./otel-collector/processor/p\n";
    expect(localModulePaths(manifest)).toEqual(["./otel-collector/processor/p"]);
    const before = collectorKey(manifest, root);
    writeFileSync(join(module, "p_test.go"), "package p\n\n// a test changed\n");
    writeFileSync(join(module, "testdata", "x.yaml"), "a: 2\n");
    expect(collectorKey(manifest, root)).toBe(before);
    writeFileSync(join(module, "p.go"), "package p\n\n// the source changed\n");
    expect(collectorKey(manifest, root)).not.toBe(before);
  });

  it("covers the repo's own processor, which the compose image's Dockerfile copies into its build too", () => {
    const manifest = readFileSync(COLLECTOR_MANIFEST, "utf8");
    expect(localModulePaths(manifest)).toEqual(["./otel-collector/processor/lookoutredactionprocessor"]);
    // The image builds from the same manifest with /src as the repo root: every local module must be copied there.
    const dockerfile = readFileSync(join(REPO_ROOT, "otel-collector", "Dockerfile"), "utf8");
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--)(\S+)\s+\S+\s*$/gm)].map((m) => normalize(m[1]!));
    for (const path of localModulePaths(manifest)) {
      expect(copied.some((source) => normalize(path).startsWith(source))).toBe(true);
    }
  });
});
