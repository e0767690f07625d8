/**
 * The span export pipeline of tracing.ts: a batching span processor that writes each sampled span as OTLP protobuf
 * when it ends (otlp-writer.ts) instead of keeping the span object until the next export, and the OTLP exporters
 * (gRPC, HTTP/protobuf) of @opentelemetry/otlp-*-exporter-base — endpoint, headers, TLS, compression, timeout and
 * retries from the standard OTEL_EXPORTER_OTLP_* variables, as the stock exporters read them — sending those bytes.
 *
 * Batching follows the SDK's BatchSpanProcessor and its OTEL_BSP_* variables: an export every
 * OTEL_BSP_SCHEDULE_DELAY ms or as soon as OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans are waiting, one export at a time,
 * spans dropped (and counted in a warning) past OTEL_BSP_MAX_QUEUE_SIZE, each export bounded by
 * OTEL_BSP_EXPORT_TIMEOUT, and the exporter's own requests never traced.
 */
import { Metadata } from "@grpc/grpc-js";
import { context, diag, TraceFlags } from "@opentelemetry/api";
import { ExportResultCode, globalErrorHandler, suppressTracing } from "@opentelemetry/core";
import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from "@opentelemetry/otlp-exporter-base/node-http";
import { convertLegacyOtlpGrpcOptions, createOtlpGrpcExportDelegate } from "@opentelemetry/otlp-grpc-exporter-base";
import { type IExportTraceServiceResponse, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { exportRequest, ProtoWriter, resourceBody, type ResourceSpans, scopeBody, writeSpan } from "./otlp-writer.js";

type Scope = ReadableSpan["instrumentationScope"];

/** One export request, already encoded: the ExportTraceServiceRequest bytes and how many spans they hold. */
export interface EncodedBatch {
  readonly request: Uint8Array;
  readonly spans: number;
}

/** What the processor needs of an exporter: OTLPExporterBase<EncodedBatch>, or a test's. */
export interface EncodedBatchExporter {
  export(batch: EncodedBatch, done: (result: { code: ExportResultCode; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

export interface BatchSettings {
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

export class BatchSettingsError extends Error {
  readonly code = "LOOKOUT_ERR_CONFIG";
}

/**
 * The OTEL_BSP_* variables, as the SDK specification defines them. Lookout's defaults for the two sizes: the SDK's
 * (512 spans per export, 2,048 queued) mean several exports a second under load and drop spans in a burst; 2,048 per
 * export (around 2 MB of protobuf, under a collector's default 4 MiB message limit; Lookout's gateway allows 8) and
 * 16,384 queued mean fewer exports and no drops. A value that is not a whole number is refused, naming the variable.
 */
export function batchSettings(env: NodeJS.ProcessEnv): BatchSettings {
  const read = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const value = Number(raw.trim());
    if (!Number.isInteger(value) || value < min) {
      throw new BatchSettingsError(`${name}=${JSON.stringify(raw)} is not a whole number of at least ${min}`);
    }
    return value;
  };
  const settings = {
    scheduledDelayMillis: read("OTEL_BSP_SCHEDULE_DELAY", 5_000, 0),
    exportTimeoutMillis: read("OTEL_BSP_EXPORT_TIMEOUT", 30_000, 1),
    maxQueueSize: read("OTEL_BSP_MAX_QUEUE_SIZE", 16_384, 1),
    maxExportBatchSize: read("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 2_048, 1),
  };
  // As the SDK does: a batch cannot be larger than the queue.
  settings.maxExportBatchSize = Math.min(settings.maxExportBatchSize, settings.maxQueueSize);
  return settings;
}

const passThrough = {
  serializeRequest: (batch: EncodedBatch) => batch.request,
  deserializeResponse: (data: Uint8Array): IExportTraceServiceResponse =>
    ProtobufTraceSerializer.deserializeResponse(data),
};
const countSpans = { name: "span" as const, countItems: (batch: EncodedBatch) => batch.spans };

/** The OTLP exporter for OTEL_EXPORTER_OTLP_PROTOCOL, sending encoded batches; `token` is the bearer header's value. */
export function encodedBatchExporter(
  protocol: "grpc" | "http/protobuf",
  token: string | undefined,
): OTLPExporterBase<EncodedBatch> {
  if (protocol === "http/protobuf") {
    const options = convertLegacyHttpOptions(
      token ? { headers: { authorization: token } } : {},
      "TRACES",
      "v1/traces",
      {
        "Content-Type": "application/x-protobuf",
      },
    );
    return new OTLPExporterBase(
      createOtlpHttpExportDelegate(options, passThrough, "otlp_http_span_exporter", countSpans, undefined),
    );
  }
  const metadata = token ? new Metadata() : undefined;
  metadata?.set("authorization", token!);
  const options = convertLegacyOtlpGrpcOptions({ metadata }, "TRACES");
  return new OTLPExporterBase(
    createOtlpGrpcExportDelegate(
      options,
      passThrough,
      "otlp_grpc_span_exporter",
      countSpans,
      undefined,
      "TraceExportService",
      "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    ),
  );
}

function memo<K, V>(map: Map<K, V>, key: K, make: (key: K) => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make(key)));
  return value;
}

/**
 * Spans are written per resource and scope, in the order each first appeared, as the SDK's serializer groups them.
 * The resource is encoded at the first export: tracing.ts builds it from synchronous detectors only, so its
 * attributes are settled by then.
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private readonly writers = new Map<Resource, Map<Scope, ProtoWriter>>();
  private readonly resourceBodies = new Map<Resource, Buffer>();
  private readonly scopeBodies = new Map<Scope, Buffer>();
  /** Sealed batches waiting for their export, oldest first. */
  private readonly ready: EncodedBatch[] = [];
  /** Spans in the batch being written. */
  private current = 0;
  /** Spans written and not yet exported (or given up on): the queue that OTEL_BSP_MAX_QUEUE_SIZE bounds. */
  private queued = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private shutdownOnce: Promise<void> | undefined;

  constructor(
    private readonly exporter: EncodedBatchExporter,
    private readonly settings: BatchSettings,
  ) {}

  onStart(_span: Span): void {}

  onEnd(span: ReadableSpan): void {
    if (this.shutdownOnce || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.queued >= this.settings.maxQueueSize) {
      if (this.dropped++ === 0) diag.debug("maxQueueSize reached, dropping spans");
      return;
    }
    if (this.dropped > 0) {
      diag.warn(`Dropped ${this.dropped} spans because maxQueueSize reached`);
      this.dropped = 0;
    }
    const writer = this.writerFor(span);
    const before = writer.pos;
    try {
      writeSpan(writer, span);
    } catch (error) {
      writer.pos = before; // the span is left out whole, never half-written
      globalErrorHandler(error as Error);
      return;
    }
    this.current++;
    this.queued++;
    if (this.current >= this.settings.maxExportBatchSize) {
      this.seal();
      void this.exportReady().catch(globalErrorHandler);
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.seal();
        void this.exportReady().catch(globalErrorHandler);
      }, this.settings.scheduledDelayMillis);
      this.timer.unref();
    }
  }

  /** Exports everything written so far; rejects when an export failed or timed out. */
  async forceFlush(): Promise<void> {
    if (this.shutdownOnce) return this.shutdownOnce;
    this.seal();
    await this.exportReady();
  }

  shutdown(): Promise<void> {
    this.shutdownOnce ??= (async () => {
      this.seal();
      try {
        await this.exportReady();
      } finally {
        await this.exporter.shutdown();
      }
    })();
    return this.shutdownOnce;
  }

  private writerFor(span: ReadableSpan): ProtoWriter {
    let scopes = this.writers.get(span.resource);
    if (!scopes) this.writers.set(span.resource, (scopes = new Map<Scope, ProtoWriter>()));
    let writer = scopes.get(span.instrumentationScope);
    if (!writer) scopes.set(span.instrumentationScope, (writer = new ProtoWriter()));
    return writer;
  }

  /** Closes the batch being written into one export request, queued for export; the writers start again empty. */
  private seal(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.current === 0) return;
    const resources: ResourceSpans[] = [];
    for (const [resource, scopes] of this.writers) {
      const written = [...scopes].filter(([, w]) => w.pos > 0);
      if (written.length === 0) continue;
      resources.push({ resource, scopes: written.map(([scope, w]) => ({ scope, spans: w.buf.subarray(0, w.pos) })) });
    }
    const request = exportRequest(resources, {
      resource: (r) => memo(this.resourceBodies, r, resourceBody),
      scope: (s) => memo(this.scopeBodies, s, scopeBody),
    });
    for (const scopes of this.writers.values()) for (const w of scopes.values()) w.reset();
    this.ready.push({ request, spans: this.current });
    this.current = 0;
  }

  /** Exports the sealed batches one at a time (one run at once); rejects with the first failure once all were tried. */
  private exportReady(): Promise<void> {
    this.exporting ??= (async () => {
      let failure: Error | undefined;
      try {
        for (let batch = this.ready.shift(); batch; batch = this.ready.shift()) {
          try {
            await this.exportOne(batch);
          } catch (error) {
            failure ??= error as Error;
          } finally {
            this.queued -= batch.spans;
          }
        }
      } finally {
        this.exporting = undefined;
      }
      if (failure) throw failure;
    })();
    return this.exporting;
  }

  private exportOne(batch: EncodedBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(
        () => reject(new Error(`span export timed out after ${this.settings.exportTimeoutMillis} ms`)),
        this.settings.exportTimeoutMillis,
      );
      context.with(suppressTracing(context.active()), () =>
        this.exporter.export(batch, (result) => {
          clearTimeout(timeout);
          if (result.code === ExportResultCode.SUCCESS) resolve();
          else reject(result.error ?? new Error("span export failed"));
        }),
      );
    });
  }
}
