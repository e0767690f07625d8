import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { context, diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { ExportResultCode, isTracingSuppressed, loggingErrorHandler, setGlobalErrorHandler } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import {
  type BatchSettings,
  batchSettings,
  type EncodedBatch,
  type EncodedBatchExporter,
  encodedBatchExporter,
  EncodingSpanProcessor,
} from "./span-export.js";

const SETTINGS: BatchSettings = {
  scheduledDelayMillis: 60_000,
  exportTimeoutMillis: 30_000,
  maxQueueSize: 100,
  maxExportBatchSize: 10,
};

/** An exporter that records each batch and answers as told: at once (the default), or when the test says. */
class RecordingExporter implements EncodedBatchExporter {
  readonly batches: EncodedBatch[] = [];
  readonly suppressed: boolean[] = [];
  readonly pending: ((code: ExportResultCode) => void)[] = [];
  shutDown = false;
  constructor(private readonly answer: "success" | "failure" | "hold" = "success") {}
  export(batch: EncodedBatch, done: (result: { code: ExportResultCode; error?: Error }) => void): void {
    this.batches.push(batch);
    this.suppressed.push(isTracingSuppressed(context.active()));
    if (this.answer === "hold") this.pending.push((code) => done({ code }));
    else if (this.answer === "failure") done({ code: ExportResultCode.FAILED, error: new Error("collector said no") });
    else done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    this.shutDown = true;
    return Promise.resolve();
  }
}

/** A provider whose spans go to the processor under test, and also to memory (to compare with the SDK's bytes). */
function provider(processor: EncodingSpanProcessor, sampler?: Sampler) {
  const memory = new InMemorySpanExporter();
  const p = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "relaycore" }),
    sampler,
    spanProcessors: [processor, new SimpleSpanProcessor(memory)],
  });
  const tracer = p.getTracer("lookout");
  return { tracer, finished: () => memory.getFinishedSpans() };
}

const sdkBytes = (spans: readonly ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest([...spans])!);

afterEach(() => {
  setGlobalErrorHandler(loggingErrorHandler());
  diag.disable();
});

describe("the encoding span processor", () => {
  it("exports a full batch at once, as the bytes the SDK's serializer makes of those spans, with tracing suppressed", async () => {
    // As NodeTracerProvider.register() sets it up: without a context manager there is no context to suppress in.
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    onTestFinished(() => {
      manager.disable();
      context.disable();
    });
    const exporter = new RecordingExporter();
    const { tracer, finished } = provider(new EncodingSpanProcessor(exporter, SETTINGS));
    for (let i = 0; i < 25; i++) tracer.startSpan(`span ${i}`, { attributes: { i } }).end();
    await vi.waitFor(() => expect(exporter.batches).toHaveLength(2));
    expect(exporter.batches.map((b) => b.spans)).toEqual([10, 10]);
    const spans = finished();
    expect(Buffer.from(exporter.batches[0]!.request).equals(sdkBytes(spans.slice(0, 10)))).toBe(true);
    expect(Buffer.from(exporter.batches[1]!.request).equals(sdkBytes(spans.slice(10, 20)))).toBe(true);
    expect(exporter.suppressed).toEqual([true, true]);
  });

  it("exports what waits after the schedule delay", async () => {
    const exporter = new RecordingExporter();
    const processor = new EncodingSpanProcessor(exporter, { ...SETTINGS, scheduledDelayMillis: 10 });
    const { tracer, finished } = provider(processor);
    tracer.startSpan("one").end();
    tracer.startSpan("two").end();
    await vi.waitFor(() => expect(exporter.batches).toHaveLength(1));
    expect(exporter.batches[0]!.spans).toBe(2);
    expect(Buffer.from(exporter.batches[0]!.request).equals(sdkBytes(finished()))).toBe(true);
  });

  it("forceFlush exports every span written so far and resolves once they are sent", async () => {
    const exporter = new RecordingExporter();
    const processor = new EncodingSpanProcessor(exporter, SETTINGS);
    const { tracer } = provider(processor);
    for (let i = 0; i < 3; i++) tracer.startSpan(`span ${i}`).end();
    expect(exporter.batches).toHaveLength(0);
    await processor.forceFlush();
    expect(exporter.batches.map((b) => b.spans)).toEqual([3]);
    await processor.forceFlush(); // nothing new: no empty export
    expect(exporter.batches).toHaveLength(1);
  });

  it("leaves out spans the sampler only recorded", async () => {
    const exporter = new RecordingExporter();
    const processor = new EncodingSpanProcessor(exporter, SETTINGS);
    const recordOnly: Sampler = { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => "r" };
    const span = provider(processor, recordOnly).tracer.startSpan("recorded, not sampled");
    expect(span.isRecording()).toBe(true);
    span.end();
    await processor.forceFlush();
    expect(exporter.batches).toHaveLength(0);
  });

  it("drops spans past the queue bound while an export hangs, and warns how many once it takes spans again", async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as unknown as DiagLogger;
    diag.setLogger({ ...silent, ...logger }, DiagLogLevel.WARN);
    const exporter = new RecordingExporter("hold");
    const processor = new EncodingSpanProcessor(exporter, { ...SETTINGS, maxQueueSize: 20 });
    const { tracer } = provider(processor);
    for (let i = 0; i < 27; i++) tracer.startSpan(`span ${i}`).end();
    // Two batches of ten: one in flight, one waiting; seven dropped.
    await vi.waitFor(() => expect(exporter.pending).toHaveLength(1));
    exporter.pending.shift()!(ExportResultCode.SUCCESS);
    await vi.waitFor(() => expect(exporter.pending).toHaveLength(1));
    exporter.pending.shift()!(ExportResultCode.SUCCESS);
    await vi.waitFor(() => expect(exporter.batches).toHaveLength(2));
    tracer.startSpan("after").end();
    expect(warnings).toEqual(["Dropped 7 spans because maxQueueSize reached"]);
    const flushed = processor.forceFlush();
    await vi.waitFor(() => expect(exporter.pending).toHaveLength(1));
    exporter.pending.shift()!(ExportResultCode.SUCCESS);
    await flushed;
    expect(exporter.batches.map((b) => b.spans)).toEqual([10, 10, 1]);
  });

  it("rejects forceFlush when the export failed, and frees the queue for later spans", async () => {
    const exporter = new RecordingExporter("failure");
    const processor = new EncodingSpanProcessor(exporter, { ...SETTINGS, maxQueueSize: 10 });
    const { tracer } = provider(processor);
    for (let i = 0; i < 5; i++) tracer.startSpan(`span ${i}`).end();
    await expect(processor.forceFlush()).rejects.toThrow("collector said no");
    for (let i = 0; i < 5; i++) tracer.startSpan(`again ${i}`).end();
    await expect(processor.forceFlush()).rejects.toThrow("collector said no");
    expect(exporter.batches.map((b) => b.spans)).toEqual([5, 5]);
  });

  it("gives up on an export that does not answer within the export timeout", async () => {
    const exporter = new RecordingExporter("hold");
    const processor = new EncodingSpanProcessor(exporter, { ...SETTINGS, exportTimeoutMillis: 20 });
    provider(processor).tracer.startSpan("lost").end();
    await expect(processor.forceFlush()).rejects.toThrow("span export timed out after 20 ms");
  });

  it("leaves out a span it cannot write, whole, reports it, and keeps the others", async () => {
    const errors: unknown[] = [];
    setGlobalErrorHandler((e) => errors.push(e));
    const exporter = new RecordingExporter();
    const processor = new EncodingSpanProcessor(exporter, SETTINGS);
    const { tracer, finished } = provider(processor);
    tracer.startSpan("before").end();
    const good = finished()[0]!;
    const broken = Object.create(good, {
      attributes: {
        get: () => ({
          get key(): string {
            throw new Error("attribute getter threw");
          },
        }),
      },
    }) as ReadableSpan;
    processor.onEnd(broken);
    tracer.startSpan("after").end();
    await processor.forceFlush();
    expect(errors).toEqual([expect.objectContaining({ message: "attribute getter threw" })]);
    expect(exporter.batches.map((b) => b.spans)).toEqual([2]);
    expect(Buffer.from(exporter.batches[0]!.request).equals(sdkBytes(finished()))).toBe(true);
  });

  it("on shutdown exports what is left, shuts the exporter down and takes no more spans", async () => {
    const exporter = new RecordingExporter();
    const processor = new EncodingSpanProcessor(exporter, SETTINGS);
    const { tracer } = provider(processor);
    tracer.startSpan("last").end();
    await processor.shutdown();
    expect(exporter.batches.map((b) => b.spans)).toEqual([1]);
    expect(exporter.shutDown).toBe(true);
    tracer.startSpan("too late").end();
    await processor.forceFlush();
    expect(exporter.batches).toHaveLength(1);
  });
});

const silent: DiagLogger = { error() {}, warn() {}, info() {}, debug() {}, verbose() {} };

describe("OTEL_BSP_*", () => {
  it("has Lookout's defaults, takes the SDK variables and refuses what is not a whole number", () => {
    expect(batchSettings({})).toEqual({
      scheduledDelayMillis: 5_000,
      exportTimeoutMillis: 30_000,
      maxQueueSize: 16_384,
      maxExportBatchSize: 2_048,
    });
    expect(
      batchSettings({
        OTEL_BSP_SCHEDULE_DELAY: "1000",
        OTEL_BSP_EXPORT_TIMEOUT: " 500 ",
        OTEL_BSP_MAX_QUEUE_SIZE: "100",
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "512",
      }),
    ).toEqual({ scheduledDelayMillis: 1_000, exportTimeoutMillis: 500, maxQueueSize: 100, maxExportBatchSize: 100 });
    expect(() => batchSettings({ OTEL_BSP_SCHEDULE_DELAY: "1s" })).toThrow(
      'OTEL_BSP_SCHEDULE_DELAY="1s" is not a whole number of at least 0',
    );
    expect(() => batchSettings({ OTEL_BSP_MAX_QUEUE_SIZE: "0" })).toThrow(
      'OTEL_BSP_MAX_QUEUE_SIZE="0" is not a whole number of at least 1',
    );
  });
});

describe("the OTLP exporters of encoded batches", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("send the request bytes as they are over gRPC, with the bearer token", async () => {
    const received: { body: Buffer; authorization: unknown }[] = [];
    const server = new grpc.Server();
    const raw = (b: Buffer) => b;
    server.addService(
      {
        Export: {
          path: "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
          requestStream: false,
          responseStream: false,
          requestSerialize: raw,
          requestDeserialize: raw,
          responseSerialize: raw,
          responseDeserialize: raw,
        },
      },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          received.push({ body: call.request, authorization: call.metadata.get("authorization")[0] });
          callback(null, Buffer.alloc(0));
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    try {
      vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", `http://127.0.0.1:${port}`);
      await exportThrough(encodedBatchExporter("grpc", "Bearer grpc-token"), received);
      expect(received[0]!.authorization).toBe("Bearer grpc-token");
    } finally {
      server.forceShutdown();
    }
  });

  it("send the request bytes as they are over HTTP/protobuf to /v1/traces, with the bearer token", async () => {
    const received: { body: Buffer; authorization: unknown; path?: string; type?: string }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        received.push({
          body: Buffer.concat(chunks),
          authorization: request.headers.authorization,
          path: request.url,
          type: request.headers["content-type"],
        });
        response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", `http://127.0.0.1:${port}`);
      await exportThrough(encodedBatchExporter("http/protobuf", "Bearer http-token"), received);
      expect(received[0]).toMatchObject({
        authorization: "Bearer http-token",
        path: "/v1/traces",
        type: "application/x-protobuf",
      });
    } finally {
      server.close();
    }
  });
});

/** Two spans through a processor and this exporter; what the server received is the SDK serializer's bytes. */
async function exportThrough(exporter: EncodedBatchExporter, received: { body: Buffer }[]): Promise<void> {
  const processor = new EncodingSpanProcessor(exporter, SETTINGS);
  const { tracer, finished } = provider(processor);
  tracer.startSpan("GET /health").end();
  tracer.startSpan("POST /v1/chat/completions").end();
  await processor.shutdown();
  expect(received).toHaveLength(1);
  expect(received[0]!.body.equals(sdkBytes(finished()))).toBe(true);
}
