/**
 * The instrumentation's parts through their front doors: /health answered from memory while a check hangs, the
 * sliding window, route templates in the HTTP metrics of Express and Fastify (real servers on port 0), and trace ids
 * on log lines.
 */
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { context, propagation, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import express from "express";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { request } from "undici";
import { HealthMonitor } from "./health.js";
import { installExpress, installFastify } from "./http.js";
import { createLogger } from "./logger.js";
import { ServiceMetrics } from "./metrics.js";
import { instrument } from "./instrument.js";
import { redisTransaction } from "./spans.js";
import { otlpProtocol, sdkDisabled, tracesExporter, tracesSampler } from "./tracing.js";
import { RequestWindow } from "./window.js";

const token = "metrics-token-for-tests-0123456789";

describe("HealthMonitor", () => {
  it("answers from memory while a dependency check is still pending, and reports it unhealthy once it times out", async () => {
    let t = 1_000_000;
    const now = () => t;
    let hang = false;
    let started = 0;
    const monitor = new HealthMonitor({
      version: "1.2.3",
      window: new RequestWindow(now),
      now,
      checks: [
        {
          name: "database",
          timeoutMs: 2_000,
          check: () => {
            started += 1;
            return hang ? new Promise<void>(() => {}) : Promise.resolve();
          },
        },
        { name: "relaycore", critical: false, check: () => Promise.reject(new Error("connection refused")) },
      ],
    });
    await monitor.refresh();
    expect(monitor.report()).toMatchObject({
      status: "degraded", // relaycore is not critical
      version: "1.2.3",
      dependencies: { database: { status: "healthy" }, relaycore: { status: "unhealthy" } },
    });
    hang = true;
    void monitor.refresh(); // never settles by itself
    await new Promise((resolve) => setImmediate(resolve)); // the check starts on the next tick
    expect(started).toBe(2);
    expect(monitor.pending("database")).toBe(true);
    // Answered now, from the last result, while the check is pending.
    expect(monitor.report().dependencies.database).toEqual({ status: "healthy", responseTime: 0 });
    t += 2_500; // past the check's timeout, still pending
    expect(monitor.pending("database")).toBe(true);
    expect(monitor.report()).toMatchObject({
      status: "unhealthy",
      dependencies: { database: { status: "unhealthy", responseTime: 2_500 } },
    });
    // A pending check is not started again.
    void monitor.refresh();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(2);
    monitor.stop();
  });
});

describe("RequestWindow", () => {
  it("counts the last 60 seconds only", () => {
    let t = 0;
    const window = new RequestWindow(() => t);
    window.record(10, false);
    window.record(30, true);
    t = 30_000;
    window.record(20, false);
    expect(window.summary()).toEqual({ requestsPerMinute: 3, errorRate: 0.3333, avgResponseTime: 20 });
    t = 61_000;
    expect(window.summary()).toEqual({ requestsPerMinute: 1, errorRate: 0, avgResponseTime: 20 });
    t = 200_000;
    expect(window.summary()).toEqual({ requestsPerMinute: 0, errorRate: 0, avgResponseTime: 0 });
  });
});

describe("HTTP metrics", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  const telemetry = () => ({
    enabled: true,
    metrics: new ServiceMetrics({ defaultMetrics: false }),
    window: new RequestWindow(),
    metricsToken: token,
  });
  const monitor = (window: RequestWindow) => new HealthMonitor({ version: "0", window, checks: [] });
  const get = async (base: string, path: string, headers: Record<string, string> = {}) => {
    const response = await request(`${base}${path}`, { headers });
    return { status: response.statusCode, text: await response.body.text() };
  };

  it.each(["express", "fastify"] as const)(
    "%s: labels requests by route template, unmatched ones as such",
    async (framework) => {
      const t = telemetry();
      let base: string;
      if (framework === "express") {
        const app = express();
        installExpress(app, t, monitor(t.window));
        app.get("/items/:id", (_req, res) => {
          res.json({ ok: true });
        });
        const server = app.listen(0, "127.0.0.1");
        await new Promise((r) => server.once("listening", r));
        closers.push(() => new Promise((r) => server.close(() => r())));
        base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      } else {
        const app = Fastify();
        installFastify(app, t, monitor(t.window));
        app.get("/items/:id", () => ({ ok: true }));
        await app.listen({ port: 0, host: "127.0.0.1" });
        closers.push(() => app.close());
        base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      }
      expect((await get(base, "/items/42?email=a@example.com")).status).toBe(200);
      expect((await get(base, "/nothing/here")).status).toBe(404);
      expect((await get(base, "/metrics")).status).toBe(401);
      const exposition = await get(base, "/metrics", { authorization: `Bearer ${token}` });
      expect(exposition.status).toBe(200);
      expect(exposition.text).toContain('http_requests_total{method="GET",route="/items/:id",status_code="200"} 1');
      expect(exposition.text).toContain('http_requests_total{method="GET",route="unmatched",status_code="404"} 1');
      // Counted at scrape time: only the scrape itself is in flight.
      expect(exposition.text).toContain('http_requests_in_flight{method="GET"} 1');
      expect(exposition.text).not.toContain("/items/42");
      expect(exposition.text).not.toContain("example.com");
      const health = JSON.parse((await get(base, "/health")).text) as { metrics: { requestsPerMinute: number } };
      expect(health.metrics.requestsPerMinute).toBe(2); // /metrics and /health stay out of the window
    },
  );
});

describe("logger", () => {
  it("adds trace_id and span_id inside a span, nothing outside", () => {
    const provider = new NodeTracerProvider();
    provider.register(); // the async-hooks context manager, so the active span follows the call
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ name: "test", destination });
    const tracer = provider.getTracer("test");
    let ids = { traceId: "", spanId: "" };
    tracer.startActiveSpan("work", (span) => {
      ids = span.spanContext();
      logger.info("inside");
      span.end();
    });
    logger.info("outside");
    trace.disable();
    context.disable();
    propagation.disable();
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ msg: "inside", trace_id: ids.traceId, span_id: ids.spanId, trace_flags: "01" });
    expect(outside).not.toHaveProperty("trace_id");
  });
});

describe("redisTransaction", () => {
  it("records one MULTI span under the active span, and none of the spans started inside it", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    const tracer = provider.getTracer("test");
    let spans: ReturnType<InMemorySpanExporter["getFinishedSpans"]>;
    try {
      await tracer.startActiveSpan("handler", async (handler) => {
        const result = await redisTransaction(
          ["INCRBYFLOAT", "EXPIRE"],
          () => {
            // What an instrumented client would do for each queued command.
            tracer.startSpan("incrbyfloat").end();
            expect(trace.getActiveSpan()).toBeUndefined(); // requireParentSpan instrumentations stop here
            return Promise.resolve([[null, "1.5"]]);
          },
          { host: "127.0.0.1", port: 6379 },
        );
        expect(result).toEqual([[null, "1.5"]]);
        handler.end();
      });
      await expect(redisTransaction(["SET"], () => Promise.reject(new Error("EXECABORT")))).rejects.toThrow(
        "EXECABORT",
      );
      spans = exporter.getFinishedSpans(); // before shutdown, which empties the exporter
    } finally {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    }
    expect(spans.map((s) => s.name)).toEqual(["MULTI", "handler", "MULTI"]);
    const [multi, handler, failed] = spans;
    expect(multi!.parentSpanContext?.spanId).toBe(handler!.spanContext().spanId);
    expect(multi!.attributes).toMatchObject({
      "db.system.name": "redis",
      "db.operation.name": "MULTI",
      "db.query.text": "MULTI INCRBYFLOAT EXPIRE EXEC",
      "server.address": "127.0.0.1",
      "server.port": 6379,
    });
    expect(failed!.status).toMatchObject({ code: 2, message: "EXECABORT" });
  });
});

describe("OTEL_TRACES_EXPORTER", () => {
  it("is otlp by default, accepts none, and refuses exporters Lookout does not ship, naming the value", () => {
    expect(tracesExporter({})).toBe("otlp");
    expect(tracesExporter({ OTEL_TRACES_EXPORTER: "otlp" })).toBe("otlp");
    expect(tracesExporter({ OTEL_TRACES_EXPORTER: " None " })).toBe("none");
    expect(() => tracesExporter({ OTEL_TRACES_EXPORTER: "zipkin" })).toThrow(
      'OTEL_TRACES_EXPORTER="zipkin" is not supported: use "otlp" (the default) or "none"',
    );
  });
});

describe("OTEL_EXPORTER_OTLP_PROTOCOL", () => {
  it("is grpc by default, takes http/protobuf, lets the traces-specific variable win, and refuses the rest", () => {
    expect(otlpProtocol({})).toBe("grpc");
    expect(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" })).toBe("http/protobuf");
    expect(
      otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: " GRPC " }),
    ).toBe("grpc");
    expect(() => otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL="http/json" is not supported: use "grpc" (the default) or "http/protobuf"',
    );
    expect(() => otlpProtocol({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "udp" })).toThrow(
      /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="udp"/,
    );
  });
});

describe("OTEL_TRACES_SAMPLER", () => {
  // Fixed, well-spread trace ids (the first 16 bytes of SHA-256 of 0…1999), so the ratio test is deterministic.
  const traceIds = Array.from({ length: 2_000 }, (_, i) =>
    createHash("sha256").update(String(i)).digest("hex").slice(0, 32),
  );
  /** How many of 2,000 root spans the sampler records, and whether it follows a sampled and an unsampled parent. */
  function behaviour(env: NodeJS.ProcessEnv) {
    const sampler = tracesSampler(env);
    const decide = (ctx: typeof ROOT_CONTEXT, traceId: string) =>
      sampler.shouldSample(ctx, traceId, "span", SpanKind.SERVER, {}, []).decision ===
      SamplingDecision.RECORD_AND_SAMPLED;
    const withParent = (flags: TraceFlags) =>
      trace.setSpanContext(ROOT_CONTEXT, { traceId: traceIds[7]!, spanId: "0000000000000001", traceFlags: flags });
    return {
      roots: traceIds.filter((id) => decide(ROOT_CONTEXT, id)).length,
      sampledParent: decide(withParent(TraceFlags.SAMPLED), traceIds[7]!),
      unsampledParent: decide(withParent(TraceFlags.NONE), traceIds[7]!),
    };
  }

  it("is parent-based always-on by default, so the gateway's tail sampler sees every trace", () => {
    expect(behaviour({})).toEqual({ roots: 2_000, sampledParent: true, unsampledParent: false });
    expect(behaviour({ OTEL_TRACES_SAMPLER: " ParentBased_Always_On " }).roots).toBe(2_000);
  });

  it("samples a ratio of root traces with parentbased_traceidratio and follows the parent's decision", () => {
    const { roots, sampledParent, unsampledParent } = behaviour({
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    });
    expect(roots).toBeGreaterThan(120); // 200 expected of 2,000
    expect(roots).toBeLessThan(280);
    expect(sampledParent).toBe(true);
    expect(unsampledParent).toBe(false);
  });

  it("knows every sampler of the specification Lookout supports", () => {
    expect(behaviour({ OTEL_TRACES_SAMPLER: "always_off" }).roots).toBe(0);
    expect(behaviour({ OTEL_TRACES_SAMPLER: "always_on" })).toMatchObject({ roots: 2_000, unsampledParent: true });
    expect(behaviour({ OTEL_TRACES_SAMPLER: "parentbased_always_off" })).toEqual({
      roots: 0,
      sampledParent: true,
      unsampledParent: false,
    });
    expect(behaviour({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" }).roots).toBe(0);
    expect(behaviour({ OTEL_TRACES_SAMPLER: "traceidratio" }).roots).toBe(2_000); // no argument: ratio 1
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: "jaeger_remote" }, 'OTEL_TRACES_SAMPLER="jaeger_remote" is not supported: use one of'],
    [{ OTEL_TRACES_SAMPLER: "sometimes" }, 'OTEL_TRACES_SAMPLER="sometimes" is not supported'],
    [
      { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "10%" },
      'OTEL_TRACES_SAMPLER_ARG="10%" is not a sampling ratio between 0 and 1 (for parentbased_traceidratio)',
    ],
    [
      { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" },
      'OTEL_TRACES_SAMPLER_ARG="1.5" is not a sampling ratio between 0 and 1 (for traceidratio)',
    ],
  ])("refuses %j, naming the variable and the value", (env, message) => {
    expect(() => tracesSampler(env)).toThrow(message);
  });
});

describe("OTEL_SDK_DISABLED", () => {
  it("reads true and false as the specification does and refuses anything else", () => {
    expect(sdkDisabled({})).toBe(false);
    expect(sdkDisabled({ OTEL_SDK_DISABLED: "TRUE" })).toBe(true);
    expect(sdkDisabled({ OTEL_SDK_DISABLED: "false" })).toBe(false);
    expect(() => sdkDisabled({ OTEL_SDK_DISABLED: "yes" })).toThrow(
      'OTEL_SDK_DISABLED="yes" is not a boolean: use "true" or "false"',
    );
  });

  it("leaves tracing off while metrics and logs stay", async () => {
    const lookout = await instrument({
      serviceName: "disabled-sdk",
      env: {
        LOOKOUT_METRICS_TOKEN: "m".repeat(32),
        LOOKOUT_USER_ID_HASH_KEY: "k".repeat(32),
        OTEL_SDK_DISABLED: "true",
      },
      logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    expect(lookout.enabled).toBe(true);
    expect(lookout.tracing).toBeUndefined();
    await lookout.shutdown();
  });

  it("refuses a bad sampler at start, before tracing starts", async () => {
    await expect(
      instrument({
        serviceName: "bad-sampler",
        env: { LOOKOUT_METRICS_TOKEN: "m".repeat(32), OTEL_TRACES_SAMPLER: "probabilistic" },
        logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
      }),
    ).rejects.toThrow('OTEL_TRACES_SAMPLER="probabilistic" is not supported');
  });
});
