/** The contract file is well formed, the Node library is built from it, and docs/instrumentation.md tells it truly. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONTRACT, CONTRACT_URL } from "./contract.js";
import { ServiceMetrics } from "./metrics.js";

const docs = readFileSync(new URL("../../docs/instrumentation.md", import.meta.url), "utf8");

describe("instrumentation/contract.json", () => {
  it("is the file the package ships", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      files: string[];
      exports: Record<string, unknown>;
    };
    expect(CONTRACT_URL.pathname.endsWith("/instrumentation/contract.json")).toBe(true);
    expect(manifest.files).toContain("contract.json");
    expect(manifest.exports["./contract.json"]).toBe("./contract.json");
  });

  it("defines each metric once, with Prometheus names, counters ending in _total and ascending buckets", () => {
    const names = CONTRACT.metrics.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of CONTRACT.metrics) {
      expect(metric.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(metric.name.endsWith("_total"), metric.name).toBe(metric.type === "counter");
      expect(metric.help.length).toBeGreaterThan(10);
      for (const label of metric.labels) expect(label).toMatch(/^[a-z_][a-z0-9_]*$/);
      if (metric.type === "histogram") {
        expect(metric.buckets, metric.name).toBeDefined();
        expect([...metric.buckets!].sort((a, b) => a - b)).toEqual(metric.buckets);
      } else expect(metric.buckets).toBeUndefined();
    }
  });

  it("is what ServiceMetrics registers", async () => {
    const metrics = new ServiceMetrics({ defaultMetrics: false });
    const registered = (await metrics.registry.getMetricsAsJSON()).map((m) => ({
      name: m.name,
      type: m.type,
      help: m.help,
    }));
    expect(registered.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      CONTRACT.metrics
        .map((m) => ({ name: m.name, type: m.type, help: m.help }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it("is the metrics table of docs/instrumentation.md", () => {
    const rows = [...docs.matchAll(/^\| `([a-z_]+)` \| (counter|gauge|histogram) \| ([^|]*) \|/gm)].map((m) => ({
      name: m[1],
      type: m[2],
      labels: m[3]!.trim() === "—" ? [] : [...m[3]!.matchAll(/`([a-z_]+)`/g)].map((l) => l[1]),
    }));
    expect(rows).toEqual(CONTRACT.metrics.map((m) => ({ name: m.name, type: m.type, labels: m.labels })));
  });
});
