/**
 * A trace source for tests of trace assertions without Jaeger: the spans a run exported to an in-memory exporter, as
 * Jaeger would hold them, plus any recorded spans (synthetics/src/testdata/) standing in for the services' part.
 */
import { SpanStatusCode } from "@opentelemetry/api";
import type { InMemorySpanExporter, ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { TraceSource, TraceSpan } from "../synthetics/index.js";

const KINDS = ["internal", "server", "client", "producer", "consumer"] as const;

function toTraceSpan(s: ReadableSpan): TraceSpan {
  const code = s.status.code;
  return {
    spanId: s.spanContext().spanId,
    ...(s.parentSpanContext ? { parentSpanId: s.parentSpanContext.spanId } : {}),
    service: String(s.resource.attributes["service.name"]),
    name: s.name,
    kind: KINDS[s.kind],
    startUs: s.startTime[0] * 1e6 + s.startTime[1] / 1e3,
    durationUs: s.duration[0] * 1e6 + s.duration[1] / 1e3,
    status: code === SpanStatusCode.ERROR ? "error" : code === SpanStatusCode.OK ? "ok" : "unset",
    attributes: s.attributes as Record<string, string | number | boolean>,
  };
}

/** The exported spans of the trace asked for (none: not there yet), with `extra` added to every trace found. */
export function exportedTraceSource(exporter: InMemorySpanExporter, extra: readonly TraceSpan[] = []): TraceSource {
  return {
    description: "the test's in-memory exporter",
    fetchTrace: (traceId) => {
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      return Promise.resolve(spans.length > 0 ? [...spans.map(toTraceSpan), ...extra] : undefined);
    },
  };
}
