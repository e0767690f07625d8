/**
 * pino loggers whose every line written inside a span carries `trace_id` and `span_id` (and `trace_flags`), so a log
 * line links to its trace in Jaeger. Log lines never carry request bodies, headers or query strings: the fields that
 * could hold them are redacted as a second line of defence.
 */
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, pino } from "pino";

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/** The trace fields of the active span, or nothing outside a span. */
export function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: `0${context.traceFlags.toString(16)}`.slice(-2),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      mixin: traceFields,
      redact: {
        paths: ["req.headers", "req.body", "req.query", "body", "headers", "*.password", "*.token", "*.email"],
        censor: "[redacted]",
      },
    },
    options.destination,
  );
}
