/**
 * callSpan() through the real tracing set-up (startTracing with its undici instrumentation) and a real HTTP server on
 * port 0: the call span is the callee's parent through the headers it hands over, no undici span is recorded under
 * it, and undici requests outside it still get their client span.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite } from "../../testkit/index.js";
import { callSpan } from "./spans.js";
import { startTracing, type Tracing } from "./tracing.js";

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let server: Server;
let url: string;
const received: IncomingHttpHeaders[] = [];

setUpSuite(async () => {
  tracing = await startTracing({
    serviceName: "call-span-test",
    env: {},
    spanProcessor: new SimpleSpanProcessor(exporter),
  });
  server = createServer((req, res) => {
    received.push(req.headers);
    res.statusCode = req.url === "/fail" ? 503 : 200;
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await tracing.shutdown();
});

describe("callSpan", () => {
  it("stands for the HTTP call it makes: its context reaches the callee, and no undici span is recorded under it", async () => {
    received.length = 0;
    exporter.reset();
    const tracer = trace.getTracer("test");
    let callSpanId = "";
    await tracer.startActiveSpan("handler", async (handler) => {
      const status = await callSpan("chat model-a", { "server.address": "127.0.0.1" }, async (span, headers) => {
        callSpanId = span.spanContext().spanId;
        // Log lines written here carry the call span's ids.
        expect(trace.getActiveSpan()?.spanContext().spanId).toBe(callSpanId);
        const answer = await request(`${url}/v1/inference`, { method: "POST", headers, body: "{}" });
        await answer.body.dump();
        return answer.statusCode;
      });
      expect(status).toBe(200);
      // The same call outside callSpan: an undici client span, as before.
      const plain = await request(`${url}/plain`);
      await plain.body.dump();
      handler.end();
    });
    await tracing.flush();
    const spans = exporter.getFinishedSpans();
    const handler = spans.find((s) => s.name === "handler")!;
    const call = spans.find((s) => s.name === "chat model-a")!;
    expect(call.kind).toBe(2); // CLIENT
    expect(call.attributes["server.address"]).toBe("127.0.0.1");
    expect(call.parentSpanContext?.spanId).toBe(handler.spanContext().spanId);
    // The callee's parent is the call span, in the same trace.
    expect(received[0]!.traceparent).toBe(`00-${call.spanContext().traceId}-${callSpanId}-01`);
    // One undici span, for the plain request only; its traceparent names it.
    const undiciSpans = spans.filter((s) => s.instrumentationScope.name.includes("undici"));
    expect(undiciSpans.map((s) => s.attributes["url.path"])).toEqual(["/plain"]);
    expect(received[1]!.traceparent).toContain(undiciSpans[0]!.spanContext().spanId);
  });

  it("marks the span failed with the error's message when the call throws, and ends it", async () => {
    exporter.reset();
    await expect(
      callSpan("chat model-b", {}, async (_span, headers) => {
        const answer = await request(`${url}/fail`, { headers });
        await answer.body.dump();
        throw new Error(`provider answered ${answer.statusCode}`);
      }),
    ).rejects.toThrow("provider answered 503");
    await tracing.flush();
    const [failed, ...rest] = exporter.getFinishedSpans();
    expect(rest).toEqual([]);
    expect(failed!.name).toBe("chat model-b");
    expect(failed!.status).toMatchObject({ code: 2, message: "provider answered 503" });
    expect(failed!.ended).toBe(true);
  });
});
