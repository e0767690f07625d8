import {
  type Attributes,
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { exportRequest, ProtoWriter, resourceBody, type ResourceSpans, scopeBody, writeSpan } from "./otlp-writer.js";

/** Real SDK spans: a provider per resource, recorded in memory. */
function recorder(attributes: Attributes) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(attributes),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { provider, spans: () => exporter.getFinishedSpans() };
}

/** Our encoding of these spans, grouped as the SDK's serializer groups them (by resource, then scope). */
function encode(spans: readonly ReadableSpan[]): Buffer {
  const grouped = new Map<ReadableSpan["resource"], Map<ReadableSpan["instrumentationScope"], ProtoWriter>>();
  for (const span of spans) {
    let scopes = grouped.get(span.resource);
    if (!scopes) grouped.set(span.resource, (scopes = new Map<ReadableSpan["instrumentationScope"], ProtoWriter>()));
    let writer = scopes.get(span.instrumentationScope);
    // A small first buffer, so the spans of the test make it grow.
    if (!writer) scopes.set(span.instrumentationScope, (writer = new ProtoWriter(64)));
    writeSpan(writer, span);
  }
  const resources: ResourceSpans[] = [...grouped].map(([resource, scopes]) => ({
    resource,
    scopes: [...scopes].map(([scope, w]) => ({ scope, spans: w.buf.subarray(0, w.pos) })),
  }));
  return exportRequest(resources, { resource: resourceBody, scope: scopeBody });
}

const sdkBytes = (spans: readonly ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest([...spans])!);

describe("the OTLP span writer", () => {
  it("writes the bytes of the SDK's serializer for spans of every shape", () => {
    const a = recorder({ "service.name": "relaycore", "deployment.environment.name": "demo", "process.pid": 4242 });
    const b = recorder({ "service.name": "neuroweaver" });
    const http = a.provider.getTracer("@opentelemetry/instrumentation-http", "0.222.0");
    const lookout = a.provider.getTracer("lookout");
    const other = b.provider.getTracer("other", undefined, { schemaUrl: "https://opentelemetry.io/schemas/1.30.0" });
    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState("vendor=opaque,other=1"),
    });
    const link: Link = {
      context: {
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanId: "00f067aa0ba902b7",
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
        traceState: new TraceState("k=v"),
      },
      attributes: { "link.reason": "retry", "link.n": 2 },
    };
    const server = http.startSpan(
      "POST /v1/chat/completions",
      {
        kind: SpanKind.SERVER,
        links: [link, { context: { ...link.context, isRemote: false, traceState: undefined } }],
        attributes: {
          "http.request.method": "POST",
          "http.response.status_code": 200,
          "url.path": "/v1/chat/completions",
          "ai.cost.usd": 0.00042,
          "ai.tokens.total": 1_234,
          negative: -7,
          "big.int": 2 ** 60,
          "not.safe": 2 ** 53 + 2,
          infinite: Infinity,
          "not.a.number": NaN,
          ok: true,
          no: false,
          empty: "",
          unicode: "Zürich — 東京 😀",
          "long.value": "x".repeat(300),
          "strings[]": ["a", "b", ""],
          "numbers[]": [1, 2.5, -3],
          "bools[]": [true, false],
          "holes[]": ["a", null, undefined],
        },
      },
      remoteParent,
    );
    server.addEvent("exception", { "exception.type": "Error", "exception.message": "boom" });
    server.addEvent("no attributes");
    server.setStatus({ code: SpanStatusCode.ERROR, message: "upstream failed: ".padEnd(200, "!") });
    const child = lookout.startSpan(
      "chat external-large",
      { kind: SpanKind.CLIENT },
      trace.setSpan(remoteParent, server),
    );
    child.setStatus({ code: SpanStatusCode.OK });
    child.end();
    server.end();
    const root = lookout.startSpan("background job", { root: true, kind: SpanKind.INTERNAL });
    for (let i = 0; i < 200; i++) root.setAttribute(`attribute.${i}`, `value ${i}`); // > 16 KB: nested lengths grow
    root.end();
    for (const kind of [SpanKind.PRODUCER, SpanKind.CONSUMER]) other.startSpan(`kind ${kind}`, { kind }).end();
    const spans = [...a.spans(), ...b.spans()];
    expect(spans).toHaveLength(5);
    expect(encode(spans).equals(sdkBytes(spans))).toBe(true);
    // Interleaved resources and scopes are grouped the same way.
    const mixed = [spans[3]!, spans[0]!, spans[4]!, spans[1]!, spans[2]!];
    expect(encode(mixed).equals(sdkBytes(mixed))).toBe(true);
  });

  it("writes nanosecond timestamps exactly, past what a double holds", () => {
    for (const [seconds, nanos] of [
      [0, 0],
      [1, 999_999_999],
      [1_764_820_800, 123_456_789],
      [4_294_967_295, 999_999_999],
      [65_535, 1],
      [65_536, 0],
    ] as const) {
      const w = new ProtoWriter(8);
      w.hrTime([seconds, nanos]);
      expect(w.buf.readBigUInt64LE(0)).toBe(BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
    }
  });

  it("writes varints as protobuf does, negative numbers as ten bytes of two's complement", () => {
    const bytes = (n: number) => {
      const w = new ProtoWriter(1);
      w.varint(n);
      return [...w.buf.subarray(0, w.pos)];
    };
    expect(bytes(0)).toEqual([0]);
    expect(bytes(127)).toEqual([127]);
    expect(bytes(128)).toEqual([0x80, 0x01]);
    expect(bytes(300)).toEqual([0xac, 0x02]);
    expect(bytes(2 ** 32)).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(bytes(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(bytes(-(2 ** 32))).toEqual([0x80, 0x80, 0x80, 0x80, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it("moves a nested message whose length needs more than one byte", () => {
    const w = new ProtoWriter(4);
    w.byte(0x0a);
    const start = w.begin();
    w.raw(Buffer.alloc(20_000, 7));
    w.end(start);
    expect([...w.buf.subarray(0, 4)]).toEqual([0x0a, 0xa0, 0x9c, 0x01]); // 20,000 as a varint
    expect(w.pos).toBe(4 + 20_000);
    expect(w.buf.subarray(4, w.pos).every((b) => b === 7)).toBe(true);
  });
});
