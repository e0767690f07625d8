/**
 * The tracer synthetic runs use: its own provider (not the global one, so the aggregator's process is not
 * instrumented as a side effect), exporting OTLP gRPC to the gateway with the bearer token, every span kept (the
 * collector's sampler keeps synthetic traces whole). Without an endpoint spans still get real ids — the trace id is
 * recorded and `traceparent` still joins the services' spans — but nothing is exported.
 */
import { Metadata } from "@grpc/grpc-js";
import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";

export interface SyntheticTracing {
  tracer: Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP gRPC endpoint, e.g. http://127.0.0.1:4317 (omitted: nothing is exported). */
  endpoint?: string;
  /** Bearer token of the gateway's OTLP ingress. */
  token?: string;
  serviceName?: string;
  /** Replaces the exporter (tests use an in-memory one). */
  spanProcessor?: SpanProcessor;
}

export const SYNTHETICS_SERVICE_NAME = "lookout-synthetics";

export function createTracing(options: TracingOptions = {}): SyntheticTracing {
  const processors: SpanProcessor[] = [];
  if (options.spanProcessor) processors.push(options.spanProcessor);
  else if (options.endpoint) {
    const metadata = new Metadata();
    if (options.token) metadata.set("authorization", `Bearer ${options.token}`);
    // Runs are few and their traces matter: export within a second rather than the default five.
    processors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint, metadata }), {
        scheduledDelayMillis: 1_000,
      }),
    );
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName ?? SYNTHETICS_SERVICE_NAME }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer("lookout-synthetics"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Tracing from the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT; token from LOOKOUT_OTLP_TOKEN). */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): SyntheticTracing {
  return createTracing({
    endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT,
    token: env.LOOKOUT_OTLP_TOKEN,
  });
}
