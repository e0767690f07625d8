import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requireTools } from "../testkit/index.js";
import { components, renderValues } from "./components.js";
import type { StackContext } from "./spec.js";
import { homeLayout, REPO_ROOT } from "../shared/index.js";
import { resolvePorts } from "./ports.js";
import { renderFile } from "./render.js";
import { gatewayTopology, samplerMetricsAddresses } from "./scaleout.js";
import { userIdHashKey, loadSecrets } from "./secrets.js";
import { samplerCount } from "./samplers.js";
import { toolPaths } from "./tools.js";

const scratch = mkdtempSync(join(tmpdir(), "lookout-scaleout-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function context(): StackContext {
  const layout = homeLayout(mkdtempSync(join(scratch, "home-")));
  return {
    layout,
    ports: resolvePorts({}),
    secrets: loadSecrets(layout.secrets, {}),
    tools: toolPaths(),
    retention: "30d",
  };
}

describe("samplerCount", () => {
  it.each([
    [undefined, 1],
    ["", 1],
    ["1", 1],
    ["2", 2],
  ])("reads LOOKOUT_COLLECTOR_SAMPLERS=%s as %i", (raw, count) => {
    expect(samplerCount(raw === undefined ? {} : { LOOKOUT_COLLECTOR_SAMPLERS: raw })).toBe(count);
  });

  it.each(["3", "0", "two"])("refuses %s and says what is possible", (raw) => {
    expect(() => samplerCount({ LOOKOUT_COLLECTOR_SAMPLERS: raw })).toThrow(/runs 1 \(one gateway\) or 2/);
  });
});

describe("userIdHashKey", () => {
  it("generates a key once, stores it 0600 and reuses it", () => {
    const dir = mkdtempSync(join(scratch, "secrets-"));
    const first = userIdHashKey(dir, {});
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(userIdHashKey(dir, {})).toBe(first);
    expect(readFileSync(join(dir, "user_id_hash_key"), "utf8").trim()).toBe(first);
    expect(statSync(join(dir, "user_id_hash_key")).mode & 0o777).toBe(0o600);
  });

  it("takes the key from the environment, and refuses one too short for HMAC-SHA256", () => {
    const dir = mkdtempSync(join(scratch, "secrets-"));
    const key = "k".repeat(40);
    expect(userIdHashKey(dir, { LOOKOUT_USER_ID_HASH_KEY: key })).toBe(key);
    expect(() => userIdHashKey(dir, { LOOKOUT_USER_ID_HASH_KEY: "short" })).toThrow(/at least 32 bytes/);
  });
});

describe("gatewayTopology", () => {
  it("keeps one gateway by default, with the user-id hash key", () => {
    const ctx = context();
    const specs = gatewayTopology(ctx, components(ctx), {});
    const collectors = specs.filter((s) => s.name.startsWith("collector"));
    expect(collectors.map((s) => s.name)).toEqual(["collector"]);
    expect(collectors[0]!.args.at(-1)).toMatch(/otel-collector\/gateway\.yaml$/);
    expect(collectors[0]!.env?.LOOKOUT_USER_ID_HASH_KEY).toMatch(/^[0-9a-f]{64}$/);
  });

  it("puts a load balancer in front of two samplers, each on its own ports and queue", () => {
    const ctx = context();
    const base = components(ctx).map((s) => s.name);
    const specs = gatewayTopology(ctx, components(ctx), { LOOKOUT_COLLECTOR_SAMPLERS: "2" });
    const at = base.indexOf("collector");
    expect(specs.map((s) => s.name)).toEqual([
      ...base.slice(0, at),
      "collector-sampler-1",
      "collector-sampler-2",
      "collector",
      ...base.slice(at + 1),
    ]);
    const [s1, s2, lb] = ["collector-sampler-1", "collector-sampler-2", "collector"].map((name) =>
      specs.find((s) => s.name === name)!,
    );
    const p = ctx.ports;
    expect(lb!.args.at(-1)).toMatch(/otel-collector\/loadbalancer\.yaml$/);
    expect(JSON.parse(lb!.env!.LOOKOUT_LB_SAMPLER_ENDPOINTS!)).toEqual([
      `127.0.0.1:${p.SAMPLER1_OTLP_GRPC}`,
      `127.0.0.1:${p.SAMPLER2_OTLP_GRPC}`,
    ]);
    expect(lb!.env!.LOOKOUT_PORT_OTLP_GRPC).toBe(String(p.OTLP_GRPC)); // clients see no change
    expect(s1!.args.at(-1)).toMatch(/gateway\.yaml$/);
    expect(s1!.env!.LOOKOUT_PORT_OTLP_GRPC).toBe(String(p.SAMPLER1_OTLP_GRPC));
    expect(s2!.env!.LOOKOUT_PORT_COLLECTOR_METRICS).toBe(String(p.SAMPLER2_METRICS));
    expect(s1!.env!.LOOKOUT_COLLECTOR_STORAGE_DIR).not.toBe(s2!.env!.LOOKOUT_COLLECTOR_STORAGE_DIR);
    expect(new Set([s1, s2, lb].map((s) => s!.env!.LOOKOUT_COLLECTOR_INSTANCE_ID)).size).toBe(3);
    // Same key everywhere, so a user's hash is the same whichever sampler saw the trace.
    expect(s1!.env!.LOOKOUT_USER_ID_HASH_KEY).toBe(s2!.env!.LOOKOUT_USER_ID_HASH_KEY);
  });
});

describe("the samplers' own telemetry", () => {
  it("is scraped by Prometheus with two samplers, and no sampler target is rendered with one", () => {
    const { promtool } = requireTools("promtool");
    const ctx = context();
    const { ports } = ctx;
    expect(samplerMetricsAddresses(ports, {})).toEqual([]);
    expect(samplerMetricsAddresses(ports, { LOOKOUT_COLLECTOR_SAMPLERS: "2" })).toEqual([
      `127.0.0.1:${ports.SAMPLER1_METRICS}`,
      `127.0.0.1:${ports.SAMPLER2_METRICS}`,
    ]);
    for (const [samplers, targets] of [
      ["1", [`127.0.0.1:${ports.COLLECTOR_METRICS}`]],
      [
        "2",
        [
          `127.0.0.1:${ports.COLLECTOR_METRICS}`,
          ...samplerMetricsAddresses(ports, { LOOKOUT_COLLECTOR_SAMPLERS: "2" }),
        ],
      ],
    ] as const) {
      const env = { LOOKOUT_COLLECTOR_SAMPLERS: samplers };
      const out = mkdtempSync(join(scratch, "rendered-"));
      const file = renderFile(join(REPO_ROOT, "prometheus", "prometheus.yml"), out, renderValues(ctx, env));
      const check = spawnSync(promtool, ["check", "config", "--syntax-only", file], { encoding: "utf8" });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const job = (parse(readFileSync(file, "utf8")) as PrometheusConfig).scrape_configs.find(
        (j) => j.job_name === "otel-collector",
      )!;
      expect(job.static_configs.flatMap((c) => c.targets)).toEqual(targets);
      // The same components the stack runs with that setting.
      const collectors = components(ctx, env).filter((s) => s.name.startsWith("collector"));
      expect(collectors).toHaveLength(samplers === "2" ? 3 : 1);
    }
  });
});

interface PrometheusConfig {
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}
