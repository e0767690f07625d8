/**
 * runFlow with trace assertions, against a real HTTP server on port 0: the trace source reads the spans the run
 * exported (an in-memory exporter standing in for the gateway and Jaeger, which test/synthetics/synthetics.test.ts
 * runs for real). A failed trace assertion fails the run naming the span; a trace that cannot be read leaves the
 * outcome to the steps; a run whose steps failed does not wait for its trace; without a trace source, or without
 * trace assertions, the result has no trace part.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { exportedTraceSource, setUpSuite } from "../../testkit/index.js";
import type { TraceSource } from "./jaeger.js";
import { runFlow } from "./runner.js";
import { createTracing } from "./tracing.js";
import { defineFlow, type TraceAssertion } from "./types.js";

let server: Server;
let url: string;
setUpSuite(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const stepCalled = (times: number): TraceAssertion => ({
  name: "step-called",
  description: "the read step made its call",
  select: { service: "lookout-synthetics", name: "step read", parent: { name: { matches: "^synthetic " } } },
  expect: [{ kind: "count", equals: times }],
});

const flow = (traceAssertions?: TraceAssertion[]) =>
  defineFlow({
    name: "traced",
    description: "a traced flow",
    schedule: "* * * * *",
    timeoutMs: 10_000,
    retry: { retries: 0, backoffMs: 0 },
    alertAfter: 1,
    steps: [
      { name: "read", request: { method: "GET", url: "{{urls.api}}/x" }, assert: [{ kind: "status", equals: 200 }] },
    ],
    ...(traceAssertions ? { traceAssertions } : {}),
  });

function setup() {
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing({ spanProcessor: new SimpleSpanProcessor(exporter) });
  return { exporter, tracer: tracing.tracer, flush: () => tracing.flush() };
}

describe("runFlow with trace assertions", () => {
  it("passes when they hold, after the steps, with the trace's outcome in the result", async () => {
    const { exporter, tracer, flush } = setup();
    const run = await runFlow(flow([stepCalled(1)]), {
      tracer,
      urls: { api: url },
      traces: { source: exportedTraceSource(exporter), flush, pollMs: 10, timeoutMs: 5_000 },
    });
    expect(run.outcome).toBe("success");
    expect(run.error).toBeUndefined();
    expect(run.trace).toMatchObject({ status: "passed", assertions: [{ name: "step-called", status: "passed" }] });
    // The root span ended before the trace was read: it tells the steps' outcome.
    const root = exporter.getFinishedSpans().find((s) => s.name === "synthetic traced")!;
    expect(root.attributes["synthetic.outcome"]).toBe("success");
  });

  it("fails the run when one does not hold, naming the span", async () => {
    const { exporter, tracer, flush } = setup();
    const run = await runFlow(flow([stepCalled(0)]), {
      tracer,
      urls: { api: url },
      traces: { source: exportedTraceSource(exporter), flush, pollMs: 10, timeoutMs: 5_000 },
    });
    const step = exporter.getFinishedSpans().find((s) => s.name === "step read")!;
    expect(run.outcome).toBe("failure");
    expect(run.steps.map((s) => s.status)).toEqual(["passed"]);
    expect(run.trace?.status).toBe("failed");
    expect(run.trace?.assertions[0]).toMatchObject({
      status: "failed",
      spanId: step.spanContext().spanId,
      spanName: "step read",
      service: "lookout-synthetics",
    });
    expect(run.error).toBe(run.trace?.assertions[0]?.message);
    expect(run.error).toContain(`span "step read" (lookout-synthetics, ${step.spanContext().spanId})`);
  });

  it("leaves the outcome to the steps when the trace cannot be read", async () => {
    const { tracer } = setup();
    const down: TraceSource = {
      description: "Jaeger at https://127.0.0.1:1",
      fetchTrace: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")),
    };
    const run = await runFlow(flow([stepCalled(1)]), {
      tracer,
      urls: { api: url },
      traces: { source: down, pollMs: 10, timeoutMs: 50 },
    });
    expect(run.outcome).toBe("success");
    expect(run.trace).toMatchObject({
      status: "unavailable",
      reason: "Jaeger at https://127.0.0.1:1 could not be read: connect ECONNREFUSED 127.0.0.1:1",
      assertions: [{ name: "step-called", status: "unavailable" }],
    });
  });

  it("does not wait for the trace of a run whose steps failed", async () => {
    const { exporter, tracer, flush } = setup();
    const failing = defineFlow({
      ...flow([stepCalled(1)]),
      steps: [
        { name: "read", request: { method: "GET", url: "{{urls.api}}/x" }, assert: [{ kind: "status", equals: 500 }] },
      ],
    });
    let reads = 0;
    const source = exportedTraceSource(exporter);
    const run = await runFlow(failing, {
      tracer,
      urls: { api: url },
      traces: { source: { ...source, fetchTrace: (id, signal) => (reads++, source.fetchTrace(id, signal)) }, flush },
    });
    expect(run.outcome).toBe("failure");
    expect(run.trace).toBeUndefined();
    expect(reads).toBe(0);
  });

  it("has no trace part without a trace source or without trace assertions", async () => {
    const { exporter, tracer } = setup();
    const withoutSource = await runFlow(flow([stepCalled(1)]), { tracer, urls: { api: url } });
    expect(withoutSource.trace).toBeUndefined();
    const withoutAssertions = await runFlow(flow(), {
      tracer,
      urls: { api: url },
      traces: { source: exportedTraceSource(exporter) },
    });
    expect(withoutAssertions.trace).toBeUndefined();
    expect(withoutAssertions.outcome).toBe("success");
  });
});
