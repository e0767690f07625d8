/**
 * The collector gateway (otel-collector/gateway.yaml) on the real binaries: one collector, Jaeger and Prometheus from
 * the native stack's own component specs, on free ports. Redaction corpus, exact span metrics and AI totals,
 * tail-sampling guarantees and the baseline rate, and ingress refusals.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite, eventually, requireTools, runTelemetrygen } from "../../testkit/index.js";
import { BASELINE_TOLERANCE, checkRedaction, keptTraces, samplingLoad, stableCount } from "./checks.js";
import {
  type CollectorStack,
  jaegerTrace,
  jaegerTraces,
  newSpanId,
  newTraceId,
  otlpRequest,
  postTraces,
  promQuery,
  promSum,
  sendSpans,
  type SpanInput,
  startCollectorStack,
} from "./harness.js";

/** An object with keys in sorted order, so two of them compare equal as JSON too. */
function byKey(entries: [string, number][]): Record<string, number> {
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** Polls read until it returns a value equal to target or the time is up; returns the last value read. */
async function settled<T>(read: () => Promise<T>, target: T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(target) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    last = await read();
  }
  return last;
}

describe("collector gateway", () => {
  let stack: CollectorStack;
  const tag = randomBytes(3).toString("hex");

  setUpSuite(async () => {
    stack = await startCollectorStack({
      collectorEnv: {
        // Decide and flush quickly so the test does not wait out the production settings.
        LOOKOUT_SAMPLING_DECISION_WAIT: "2s",
        LOOKOUT_SPAN_METRICS_FLUSH_INTERVAL: "2s",
        LOOKOUT_SAMPLING_MAX_TRACE_BYTES: String(1024 * 1024),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("removes every kind of PII from every place, and leaves everything else alone", async () => {
    const report = await checkRedaction(stack, tag);
    console.log(`redaction corpus: ${report.cases} cases + ${report.controls} control spans`, report.kinds);
    expect(report.cases).toBeGreaterThanOrEqual(300);
  });

  it("derives exact call, error, AI cost and token totals from 100% of spans, whatever the sampler keeps", async () => {
    const service = `metrics-${tag}`;
    const models = [
      { model: "gpt-4o-mini", provider: "openai" },
      { model: "llama-3-70b", provider: "neuroweaver" },
    ];
    const spans: SpanInput[] = [];
    const traceIds: string[] = [];
    const expected = new Map(models.map((m) => [m.model, { calls: 0, cost: 0, input: 0, output: 0 }]));
    let errors = 0;
    for (let t = 0; t < 120; t++) {
      const traceId = newTraceId();
      traceIds.push(traceId);
      const root = newSpanId();
      for (let i = 0; i < 5; i++) {
        const k = t * 5 + i;
        const error = t % 10 === 0 && i < 2; // 12 error traces, two error spans each
        if (error) errors++;
        const attributes: SpanInput["attributes"] = { "http.route": "/v1/route" };
        if (i % 2 === 1) {
          const m = models[k % 2]!;
          // Multiples of 1/64 dollar: exact in binary floating point, so the sum is exact too. All below the
          // costly-call threshold (0.10), so only errors and the baseline decide what Jaeger keeps.
          const cost = ((k % 4) + 1) / 64;
          const input = 100 + (k % 37);
          const output = 20 + (k % 11);
          Object.assign(attributes, {
            "gen_ai.request.model": m.model,
            "gen_ai.provider.name": m.provider,
            "gen_ai.usage.cost": cost,
            "gen_ai.usage.input_tokens": input,
            "gen_ai.usage.output_tokens": output,
          });
          const e = expected.get(m.model)!;
          e.calls++;
          e.cost += cost;
          e.input += input;
          e.output += output;
        }
        spans.push({
          traceId,
          spanId: i === 0 ? root : newSpanId(),
          parentSpanId: i === 0 ? undefined : root,
          name: i === 0 ? "POST /v1/route" : `step ${i}`,
          error,
          attributes,
          resource: { "service.name": service },
        });
      }
    }
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, spans, 150);

    const port = stack.prom;
    const sel = `{service_name="${service}"}`;
    await eventually(
      async () => ((await promSum(port, `sum(traces_span_metrics_calls_total${sel})`)) === 600 ? true : undefined),
      90_000,
      "600 calls in Prometheus",
    );
    const byModel = async (metric: string) => {
      const rows = await promQuery(port, `sum by (gen_ai_request_model) (${metric}${sel})`);
      return byKey(rows.map((r) => [r.metric.gen_ai_request_model ?? "", r.value]));
    };
    const want = (pick: (e: { calls: number; cost: number; input: number; output: number }) => number) =>
      byKey([...expected].map(([model, e]) => [model, pick(e)]));
    // The AI totals come through their own pipeline (delta → cumulative); wait for them to settle, then compare.
    await settled(
      () => byModel("lookout_ai_cost_dollars_total"),
      want((e) => e.cost),
      60_000,
    );
    expect(
      await promSum(
        port,
        `sum(traces_span_metrics_calls_total{service_name="${service}",status_code="STATUS_CODE_ERROR"})`,
      ),
    ).toBe(errors);
    expect(await promSum(port, `sum(traces_span_metrics_duration_milliseconds_count${sel})`)).toBe(600);
    expect(await byModel("lookout_ai_cost_dollars_total")).toEqual(want((e) => e.cost));
    expect(await byModel("lookout_ai_input_tokens_total")).toEqual(want((e) => e.input));
    expect(await byModel("lookout_ai_output_tokens_total")).toEqual(want((e) => e.output));
    expect(await byModel("lookout_ai_calls_total")).toEqual(want((e) => e.calls));

    // …while Jaeger kept only the error traces and a baseline share of the rest.
    const stored = await jaegerTraces(stack.jaegerApi, traceIds);
    const kept = traceIds.filter((id) => (stored.get(id) ?? []).length > 0);
    expect(kept.length).toBeLessThan(120);
    expect(kept.length).toBeGreaterThanOrEqual(12);
  });

  it("keeps every error, slow, synthetic and costly trace complete, and a baseline share of the rest", async () => {
    const { special, baseline } = samplingLoad(tag);
    // Baseline first: once the special traces (sent last) are all in Jaeger, the baseline ones have been decided.
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, baseline.spans, 400);
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, special.spans, 300);

    const complete = await eventually(
      async () => {
        const stored = await jaegerTraces(stack.jaegerApi, special.traceIds);
        return [...stored.values()].every((t) => t.length === 3) ? stored : undefined;
      },
      120_000,
      "every special trace complete in Jaeger",
    );
    expect(complete.size).toBe(special.traceIds.length);

    const keptBaseline = await stableCount(() => keptTraces(stack.jaegerApi, baseline.traceIds));
    const { min, max } = BASELINE_TOLERANCE;
    console.log(`baseline: kept ${keptBaseline} of ${baseline.traceIds.length} (expected 200, accepted ${min}–${max})`);
    expect(keptBaseline).toBeGreaterThanOrEqual(min);
    expect(keptBaseline).toBeLessThanOrEqual(max);
  });

  it("lets a late span follow its trace's decision", async () => {
    const traceId = newTraceId();
    const root = newSpanId();
    const resource = { "service.name": `late-${tag}` };
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, [
      { traceId, spanId: root, name: "root", error: true, resource },
    ]);
    await eventually(
      async () => ((await jaegerTrace(stack.jaegerApi, traceId)).length === 1 ? true : undefined),
      60_000,
      "the error trace kept",
    );
    // Long after the decision: a plain child (no error, no cost). Without the decision cache it would get a fresh
    // decision and, at a 10% baseline, most likely be dropped.
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, [
      { traceId, parentSpanId: root, name: "late child", resource },
    ]);
    await eventually(
      async () => ((await jaegerTrace(stack.jaegerApi, traceId)).length === 2 ? true : undefined),
      60_000,
      "the late span joining its kept trace",
    );
  });

  it("drops one enormous trace without starving the others", async () => {
    // This stack runs with a 1 MiB maximum trace size (see setUpSuite): send ~3 MiB in one error trace.
    const huge = newTraceId();
    const resource = { "service.name": `huge-${tag}` };
    const padding = "x".repeat(1024);
    const hugeSpans: SpanInput[] = Array.from({ length: 3000 }, (_, i) => ({
      traceId: huge,
      name: `loop ${i}`,
      error: true,
      attributes: { padding },
      resource,
    }));
    const small = Array.from({ length: 20 }, () => newTraceId());
    const smallSpans: SpanInput[] = small.map((traceId) => ({ traceId, name: "ok", error: true, resource }));
    await sendSpans(stack.ports.OTLP_HTTP, stack.token, [...hugeSpans, ...smallSpans], 500);
    await eventually(
      async () => ((await keptTraces(stack.jaegerApi, small)) === small.length ? true : undefined),
      60_000,
      "the small traces kept",
    );
    expect((await jaegerTrace(stack.jaegerApi, huge)).length).toBe(0);
  });

  it("refuses malformed, truncated, oversized and unauthenticated OTLP clearly while serving everyone else", async () => {
    const port = stack.ports.OTLP_HTTP;
    const good = (i: number) =>
      otlpRequest([{ traceId: newTraceId(), name: `ok ${i}`, resource: { "service.name": `ingress-${tag}` } }]);
    // A well-behaved client sending all along.
    let running = true;
    const goodStatuses: number[] = [];
    const goodClient = (async () => {
      for (let i = 0; running; i++) goodStatuses.push((await postTraces(port, good(i), stack.token)).status);
    })();

    const oversized = JSON.stringify({
      resourceSpans: [
        { resource: { attributes: [{ key: "pad", value: { stringValue: "x".repeat(9 * 1024 * 1024) } }] } },
      ],
    });
    // ExportTraceServiceRequest with a resource_spans field that claims 16 bytes and carries 2.
    const truncatedProtobuf = Buffer.from([0x0a, 0x10, 0x0a, 0x02]);
    const cases: { what: string; send: () => Promise<{ status: number; text: string }>; status: number }[] = [
      { what: "no token", send: () => postTraces(port, good(0), undefined), status: 401 },
      { what: "wrong token", send: () => postTraces(port, good(0), "not-the-token"), status: 401 },
      { what: "malformed JSON", send: () => postTraces(port, '{"resourceSpans": [', stack.token), status: 400 },
      { what: "not OTLP JSON", send: () => postTraces(port, '{"resourceSpans": 42}', stack.token), status: 400 },
      {
        what: "truncated protobuf",
        send: () => postTraces(port, truncatedProtobuf, stack.token, { "content-type": "application/x-protobuf" }),
        status: 400,
      },
      { what: "oversized body (9 MiB > 8 MiB)", send: () => postTraces(port, oversized, stack.token), status: 400 },
      {
        what: "unsupported content type",
        send: () => postTraces(port, "hello", stack.token, { "content-type": "text/plain" }),
        status: 415,
      },
    ];
    const got: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const c of cases) got.push(`${c.what}: ${(await c.send()).status}`);
    }
    running = false;
    await goodClient;
    expect(got).toEqual([0, 1, 2].flatMap(() => cases.map((c) => `${c.what}: ${c.status}`)));
    expect(goodStatuses.length).toBeGreaterThan(0);
    expect(goodStatuses.filter((s) => s !== 200)).toEqual([]);

    // gRPC: telemetrygen without the token is refused as Unauthenticated.
    requireTools("telemetrygen");
    const run = runTelemetrygen({ port: stack.ports.OTLP_GRPC, traces: 1 });
    expect(`${run.stdout}${run.stderr}`).toMatch(/Unauthenticated/);
  });
});
