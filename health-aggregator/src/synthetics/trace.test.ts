/**
 * Trace assertions inside the aggregator, through the front door: the built-in relaycore-chat flow against a real
 * HTTP server on port 0 that answers like RelayCore's primary provider, with its trace made of the spans the run
 * exported and RelayCore's and NeuroWeaver's spans as Jaeger held them during a primaryOutage failover
 * (synthetics/src/testdata/). A failed assertion fails the run and points at its span in the API, the store, the
 * metrics and the status page; a trace that cannot be read leaves the run to its steps and is counted apart. The
 * real collector and Jaeger are in test/synthetics/synthetics.test.ts.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { eventually, exportedTraceSource, setUpSuite } from "../../../testkit/index.js";
import { createTracing, parseJaegerTrace, type TraceOptions } from "../../../synthetics/index.js";
import { Aggregator } from "../aggregator.js";
import { buildApp } from "../app.js";
import { settingsFromEnv } from "../config.js";
import { parseConfig } from "../config/load.js";

const adminToken = "admin-token-for-tests-0123456789";
const settings = settingsFromEnv({
  LOOKOUT_METRICS_TOKEN: "metrics-token-for-tests-0123456789",
  LOOKOUT_ADMIN_TOKEN: adminToken,
  LOOKOUT_PORT_AGGREGATOR: "0",
});
const auth = { authorization: `Bearer ${adminToken}` };

/** Answers like RelayCore when its primary provider served the request: every HTTP assertion of the flow holds. */
const relaycore = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        req.url === "/v1/budget"
          ? { daily: { spent_usd: 1.5, budget_usd: 50 }, monthly: { spent_usd: 20, budget_usd: 1000 } }
          : {
              model: "nw-llama-3-8b",
              provider: "neuroweaver",
              reason: "latency",
              output: "[nw-llama-3-8b] 42 tokens of generated text",
              finish_reason: "stop",
              usage: { input_tokens: 14, output_tokens: 42 },
              cost_usd: 0.0000281,
            },
      ),
    );
  });
});
let relaycoreUrl = "";
setUpSuite(async () => {
  await new Promise<void>((resolve) => relaycore.listen(0, "127.0.0.1", resolve));
  relaycoreUrl = `http://127.0.0.1:${(relaycore.address() as AddressInfo).port}`;
});
afterAll(async () => {
  relaycore.closeAllConnections();
  await new Promise<void>((resolve) => relaycore.close(() => resolve()));
});

const config = () => `
synthetics:
  jaeger_ui_url: "http://jaeger.example:16686/"
  urls: { relaycore: "${relaycoreUrl}" }
  flows:
    automatrix-workflow: { enabled: false }
    neuroweaver-deploy: { enabled: false }
    relaycore-chat: { schedule: "*/10 * * * *" }
targets:
  - { id: relaycore, name: RelayCore, system: RelayCore, instances: [{ name: main, http: { url: "http://127.0.0.1:1/health" } }] }
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function build(traced: { tracer: ReturnType<typeof createTracing>["tracer"]; traces: TraceOptions }) {
  const aggregator = new Aggregator({ config: parseConfig(config(), "test.yml", {}), dataDir: ":memory:", ...traced });
  const app = buildApp({ settings, aggregator });
  cleanups.push(async () => {
    await app.close();
    await aggregator.close();
  });
  return { aggregator, app };
}

describe("trace assertions", () => {
  // RelayCore's and NeuroWeaver's part of the trace, as Jaeger held it for a run with RelayCore's primaryOutage
  // fault on (synthetics/src/testdata/), beside the spans the run itself exported.
  const outage = parseJaegerTrace(
    JSON.parse(
      readFileSync(
        new URL("../../../synthetics/src/testdata/jaeger-relaycore-chat-outage.json", import.meta.url),
        "utf8",
      ),
    ),
  ).filter((span) => span.service !== "lookout-synthetics");
  const traced = (source: (exporter: InMemorySpanExporter) => TraceOptions["source"]) => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ spanProcessor: new SimpleSpanProcessor(exporter) });
    return { tracer: tracing.tracer, traces: { source: source(exporter), pollMs: 10, timeoutMs: 2_000 } };
  };

  it("a failed one fails the run; the result, the store, the metrics and the status page point at the span", async () => {
    const { app, aggregator } = build(traced((e) => exportedTraceSource(e, outage)));
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/synthetics/relaycore-chat/runs",
      headers: auth,
    });
    const run = response.json<{
      outcome: string;
      traceId: string;
      error: string;
      steps: { status: string }[];
      trace: { status: string; assertions: { name: string; status: string; spanId?: string; spanUrl?: string }[] };
    }>();
    // The HTTP answers were fine (the stand-in answered like the primary): only the trace shows the failover.
    expect(run.steps.map((s) => s.status)).toEqual(["passed", "passed"]);
    expect(run.outcome).toBe("failure");
    expect(run.error).toMatch(
      /^trace assertion "no-failover" .*span "chat external-large" \(relaycore, [0-9a-f]{16}\)/,
    );
    expect(run.trace.status).toBe("failed");
    expect(run.trace.assertions.map((a) => [a.name, a.status])).toEqual([
      ["no-failover", "failed"],
      ["primary-call-succeeded", "failed"],
      ["neuroweaver-called-once", "failed"],
    ]);
    const offending = run.trace.assertions[0]!;
    expect(offending.spanUrl).toBe(`http://jaeger.example:16686/trace/${run.traceId}?uiFind=${offending.spanId!}`);

    const stored = await app.inject({ method: "GET", url: "/api/v1/synthetics/relaycore-chat/runs" });
    expect(stored.json<{ runs: { trace: unknown }[] }>().runs[0]!.trace).toEqual(run.trace);
    const metrics = await aggregator.metrics.registry.metrics();
    expect(metrics).toContain(
      'lookout_synthetic_trace_assertions_total{flow="relaycore-chat",assertion="no-failover",outcome="failed"} 1',
    );
    expect(metrics).toContain(
      'lookout_synthetic_trace_assertion_last_passed{flow="relaycore-chat",assertion="no-failover"} 0',
    );
    expect(metrics).toContain('lookout_synthetic_trace_unavailable_total{flow="relaycore-chat"} 0');
    const page = await app.inject({ method: "GET", url: "/status" });
    expect(page.body).toContain(`href="http://jaeger.example:16686/trace/${run.traceId}?uiFind=${offending.spanId!}"`);
  });

  it("a run waiting for its trace does not hold the flow; a late result does not override a newer run's streak", async () => {
    const normal = parseJaegerTrace(
      JSON.parse(
        readFileSync(new URL("../../../synthetics/src/testdata/jaeger-relaycore-chat.json", import.meta.url), "utf8"),
      ),
    ).filter((span) => span.service !== "lookout-synthetics");
    // Each run's trace reads wait until the test opens that trace's gate; the first run's trace shows the failover.
    const gates = new Map<string, { opened: Promise<void>; open: () => void; extra: typeof outage }>();
    const gated = (exporter: InMemorySpanExporter): TraceOptions["source"] => ({
      description: "a gated in-memory trace store",
      fetchTrace: async (traceId, signal) => {
        let gate = gates.get(traceId);
        if (!gate) {
          let open = () => {};
          const opened = new Promise<void>((resolve) => (open = resolve));
          gate = { opened, open, extra: gates.size === 0 ? outage : normal };
          gates.set(traceId, gate);
        }
        const aborted = new Promise<never>((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }),
        );
        await Promise.race([gate.opened, aborted]);
        return exportedTraceSource(exporter, gate.extra).fetchTrace(traceId, signal);
      },
    });
    const { aggregator } = build(traced(gated));
    const first = aggregator.synthetics.trigger("relaycore-chat", "schedule");
    await eventually(() => gates.size === 1 || undefined, 5_000, "the first run's steps done, its trace awaited");
    // The first run waits for its trace: a second one may start, and runs its steps.
    const second = aggregator.synthetics.trigger("relaycore-chat", "schedule");
    second.catch(() => {}); // a refusal (FlowBusyError) shows as the wait below timing out, with its message
    await eventually(
      () => gates.size === 2 || undefined,
      5_000,
      "a second run started while the first awaits its trace",
    );
    const [older, newer] = [...gates.values()];
    newer!.open(); // the newer run's trace arrives first: it passes
    expect((await second).outcome).toBe("success");
    older!.open(); // then the older run's, showing the failover: it fails, and is stored
    const late = await first;
    expect(late.outcome).toBe("failure");
    expect(late.startedAt).toBeLessThan((await second).startedAt);
    const runs = aggregator.synthetics.runs("relaycore-chat", 10);
    expect(runs.map((r) => r.outcome)).toEqual(["success", "failure"]); // newest first, by start
    // The newer run tells the streak: the late failure of an older run is not a failure in a row.
    const metrics = await aggregator.metrics.registry.metrics();
    expect(metrics).toContain('lookout_synthetic_consecutive_failures{flow="relaycore-chat"} 0');
    expect(metrics).toContain('lookout_synthetic_runs_total{flow="relaycore-chat",outcome="failure"} 1');
    expect(metrics).toContain('lookout_synthetic_runs_total{flow="relaycore-chat",outcome="success"} 1');
  });

  it("a trace that cannot be read is 'unavailable': the run passes on its steps, counted and shown apart", async () => {
    const down = () => ({
      description: "Jaeger at https://127.0.0.1:1",
      fetchTrace: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")),
    });
    const { app, aggregator } = build(traced(down));
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/synthetics/relaycore-chat/runs",
      headers: auth,
    });
    expect(response.json()).toMatchObject({
      outcome: "success",
      trace: {
        status: "unavailable",
        reason: "Jaeger at https://127.0.0.1:1 could not be read: connect ECONNREFUSED 127.0.0.1:1",
        assertions: [
          { name: "no-failover", status: "unavailable" },
          { name: "primary-call-succeeded", status: "unavailable" },
          { name: "neuroweaver-called-once", status: "unavailable" },
        ],
      },
    });
    const metrics = await aggregator.metrics.registry.metrics();
    expect(metrics).toContain('lookout_synthetic_trace_unavailable_total{flow="relaycore-chat"} 1');
    expect(metrics).toContain(
      'lookout_synthetic_trace_assertions_total{flow="relaycore-chat",assertion="no-failover",outcome="unavailable"} 1',
    );
    expect(metrics).toContain('lookout_synthetic_consecutive_failures{flow="relaycore-chat"} 0');
    const page = await app.inject({ method: "GET", url: "/status" });
    expect(page.body).toContain("trace unavailable: trace checks not run");
  });
});
