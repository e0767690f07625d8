/**
 * Express server spans from installExpress()'s middleware (instrument({ expressServerSpans: true })), through the real
 * tracing set-up and real servers on port 0: the attributes of the stable HTTP conventions, the route as name and
 * http.route, the caller's trace context, the span active after a body parser (an undici call made there is its
 * child), ERROR for a 5xx, nothing for probes, and never a query value.
 */
import { Readable, Writable } from "node:stream";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import express from "express";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { setUpSuite } from "../../testkit/index.js";
import { HealthMonitor } from "./health.js";
import { installExpress } from "./http.js";
import { instrument, type Instrumentation } from "./instrument.js";
import { untraced } from "./spans.js";

const exporter = new InMemorySpanExporter();
let lookout: Instrumentation;
let app: Server;
let downstream: Server;
let base: string;

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
};

setUpSuite(async () => {
  lookout = await instrument({
    serviceName: "server-span-test",
    env: { LOOKOUT_METRICS_TOKEN: "m".repeat(32), LOOKOUT_USER_ID_HASH_KEY: "k".repeat(32) },
    spanProcessor: new SimpleSpanProcessor(exporter),
    logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
    expressServerSpans: true,
  });
  downstream = createServer((_req, res) => res.end("ok"));
  const downstreamUrl = `http://127.0.0.1:${await listen(downstream)}`;
  const web = express();
  const health = new HealthMonitor({ version: "1", checks: [], window: lookout.window });
  installExpress(web, lookout, health);
  web.use(express.json());
  web.post("/items/:id", async (req, res) => {
    const answer = await request(`${downstreamUrl}/lookup`); // after the body parser: still inside the span
    await answer.body.dump();
    res.set("x-request-id", "answer-1").json({ id: req.params.id, got: req.body as unknown });
  });
  // A body read from the request's own events, as older parsers (and busboy) do: the "end" listener runs from the
  // socket's context unless the request is bound to the span's.
  web.post("/raw", (req, res) => {
    req.on("data", () => undefined);
    req.on("end", () => {
      void request(`${downstreamUrl}/lookup`).then(async (answer) => {
        await answer.body.dump();
        res.end("ok");
      });
    });
  });
  web.get("/boom", (_req, res) => void res.status(503).send("down"));
  base = `http://127.0.0.1:${await listen((app = createServer(web)))}`;
});

afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
  await new Promise((resolve) => downstream.close(resolve));
  await lookout.shutdown();
});

async function spansOf(path: string, init: Parameters<typeof request>[1] = {}): Promise<ReadableSpan[]> {
  exporter.reset();
  // The test's own request untraced: no client span, no traceparent but the one the test sets.
  const answer = await untraced(() => request(`${base}${path}`, init));
  await answer.body.dump();
  await new Promise((resolve) => setTimeout(resolve, 20)); // the span ends on the response's "finish"
  await lookout.tracing!.flush();
  return exporter.getFinishedSpans();
}

describe("Express server spans", () => {
  it("carry the stable HTTP attributes, the route, the caller's context, and parent what the route calls", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpanId = "00f067aa0ba902b7";
    const spans = await spansOf("/items/42?token=secret-value&q=alice%40example.com", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        traceparent: `00-${traceId}-${callerSpanId}-01`,
        "x-request-id": "req-1",
        "user-agent": "lookout-test/1",
      },
      body: JSON.stringify({ name: "x" }),
    });
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.name).toBe("POST /items/:id");
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(server.attributes).toMatchObject({
      "http.request.method": "POST",
      "url.scheme": "http",
      "url.path": "/items/42",
      "url.query": "token=REDACTED&q=REDACTED",
      "server.address": "127.0.0.1",
      "client.address": "127.0.0.1",
      "network.peer.address": "127.0.0.1",
      "network.protocol.version": "1.1",
      "user_agent.original": "lookout-test/1",
      "http.request.header.x-request-id": ["req-1"],
      "http.response.header.x-request-id": ["answer-1"],
      "http.route": "/items/:id",
      "http.response.status_code": 200,
    });
    expect(typeof server.attributes["server.port"]).toBe("number");
    expect(JSON.stringify(server.attributes)).not.toMatch(/secret-value|alice/);
    expect(server.status.code).toBe(0);
    // The downstream call made after express.json() is a child of the server span.
    const client = spans.find((s) => s.kind === SpanKind.CLIENT && s.attributes["url.path"] === "/lookup")!;
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  });

  it("stay active when the body arrives after the headers, in later packets", async () => {
    async function* slowBody() {
      yield '{"name":';
      await new Promise((resolve) => setTimeout(resolve, 50)); // the parser's next "data" comes from the socket
      yield '"x"}';
    }
    const spans = await spansOf("/raw", {
      method: "POST",
      headers: { "content-type": "text/plain" }, // not for express.json(): the route reads it
      body: Readable.from(slowBody()),
    });
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    const client = spans.find((s) => s.kind === SpanKind.CLIENT && s.attributes["url.path"] === "/lookup")!;
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(client.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  it("mark a 5xx answer as an error, and start a new trace without a caller", async () => {
    const [server] = await spansOf("/boom");
    expect(server!.name).toBe("GET /boom");
    expect(server!.parentSpanContext).toBeUndefined();
    expect(server!.status.code).toBe(2);
    expect(server!.attributes).toMatchObject({ "http.response.status_code": 503, "error.type": "503" });
  });

  it("name a request no route took by its method alone, and trace neither probes nor scrapes", async () => {
    const [unmatched] = await spansOf("/nowhere");
    expect(unmatched!.name).toBe("GET");
    expect(unmatched!.attributes["http.route"]).toBeUndefined();
    expect(unmatched!.attributes["http.response.status_code"]).toBe(404);
    expect(await spansOf("/health")).toEqual([]);
    expect(await spansOf("/metrics", { headers: { authorization: `Bearer ${"m".repeat(32)}` } })).toEqual([]);
  });

  it("record an unknown method as _OTHER with the original beside it", async () => {
    const [server] = await spansOf("/items/1", { method: "PURGE" });
    expect(server!.name).toBe("HTTP");
    expect(server!.attributes).toMatchObject({
      "http.request.method": "_OTHER",
      "http.request.method_original": "PURGE",
    });
  });
});
