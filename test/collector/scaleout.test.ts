/**
 * The two-tier shape (LOOKOUT_COLLECTOR_SAMPLERS=2, stack/scaleout.ts): otel-collector/loadbalancer.yaml on the
 * public OTLP ports routing by trace id to two gateway samplers, on the real binaries. Redaction and sampling must
 * hold exactly as with one gateway: no trace split across samplers, every kept trace complete, span metrics from both
 * samplers adding up exactly.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite, eventually } from "../../testkit/index.js";
import { BASELINE_TOLERANCE, checkRedaction, keptTraces, samplingLoad, stableCount } from "./checks.js";
import { type CollectorStack, jaegerTraces, promQuery, sendSpans, startCollectorStack } from "./harness.js";

describe("collector scale-out: load balancer and two samplers", () => {
  let stack: CollectorStack;
  const tag = randomBytes(3).toString("hex");

  setUpSuite(async () => {
    stack = await startCollectorStack({
      samplers: 2,
      collectorEnv: { LOOKOUT_SAMPLING_DECISION_WAIT: "2s", LOOKOUT_SPAN_METRICS_FLUSH_INTERVAL: "2s" },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("starts the load balancer after its two samplers", () => {
    expect(stack.collectors).toEqual(["collector-sampler-1", "collector-sampler-2", "collector"]);
  });

  it("has Prometheus scrape the load balancer's and both samplers' own telemetry", async () => {
    const { ports } = stack;
    const up = await eventually(
      async () => {
        const rows = await promQuery(stack.prom, 'up{job="otel-collector"} == 1');
        return rows.length === 3 ? rows : undefined;
      },
      60_000,
      "the three collectors up in Prometheus",
    );
    expect(up.map((r) => `${r.metric.component} ${r.metric.instance}`).sort()).toEqual(
      [
        `otel-collector 127.0.0.1:${ports.COLLECTOR_METRICS}`,
        `otel-collector-sampler 127.0.0.1:${ports.SAMPLER1_METRICS}`,
        `otel-collector-sampler 127.0.0.1:${ports.SAMPLER2_METRICS}`,
      ].sort(),
    );
  });

  it("redacts the whole corpus through the load balancer", async () => {
    const report = await checkRedaction(stack, `lb-${tag}`);
    expect(report.cases).toBeGreaterThanOrEqual(300);
  });

  it("keeps every error, slow, synthetic and costly trace complete, spread over both samplers", async () => {
    const { special, baseline } = samplingLoad(`lb-${tag}`);
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, baseline.spans, 400);
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, special.spans, 300);
    const stored = await eventually(
      async () => {
        const found = await jaegerTraces(stack.jaegerApi, special.traceIds);
        return [...found.values()].every((t) => t.length === 3) ? found : undefined;
      },
      120_000,
      "every special trace complete in Jaeger",
    );
    expect(stored.size).toBe(special.traceIds.length);
    const kept = await stableCount(() => keptTraces(stack.jaegerApi, baseline.traceIds));
    console.log(`two samplers, baseline: kept ${kept} of ${baseline.traceIds.length}`);
    expect(kept).toBeGreaterThanOrEqual(BASELINE_TOLERANCE.min);
    expect(kept).toBeLessThanOrEqual(BASELINE_TOLERANCE.max);

    // Both samplers did part of the work, and their span metrics add up to exactly what was sent.
    const service = `sampling-baseline-lb-${tag}`;
    const rows = await eventually(
      async () => {
        const r = await promQuery(
          stack.prom,
          `sum by (collector_instance_id) (traces_span_metrics_calls_total{service_name="${service}"})`,
        );
        return r.reduce((a, x) => a + x.value, 0) === baseline.spans.length ? r : undefined;
      },
      90_000,
      "span metrics of every baseline span",
    );
    expect(rows.map((r) => r.metric.collector_instance_id).sort()).toEqual(["lookout-sampler-1", "lookout-sampler-2"]);
    for (const r of rows) expect(r.value).toBeGreaterThan(0);
  });
});
