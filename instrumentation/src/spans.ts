/**
 * Spans Lookout's own code makes around an application's operations: a Redis transaction or any operation as one span,
 * a remote call as one client span, and code run untraced. Through the global OpenTelemetry API, so they work with
 * whatever provider startTracing() (or another SDK set-up) registered, and do nothing without one.
 */
import { type Attributes, context, propagation, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from "@opentelemetry/semantic-conventions";

/** The instrumentation scope of the spans Lookout's code makes. */
export const LOOKOUT_TRACER = "lookout-instrumentation";

/** Runs fn without creating spans (health checks, the load generator's own bookkeeping). */
export function untraced<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}

/**
 * Runs fn as a single client span: whatever the auto-instrumentations would record inside it is not recorded. For an
 * operation whose parts are not worth a span each — a Redis MULTI/EXEC is one span per queued command otherwise
 * (the ioredis instrumentation has no option to group them). Inside, the context has tracing suppressed and no
 * active span, so the pg and Redis instrumentations (requireParentSpan) return before building any span at all.
 */
export function asOneSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
  return endedWith(span, () => context.with(trace.deleteSpan(suppressTracing(context.active())), fn));
}

/** Runs fn and ends the span when it settles, with an ERROR status naming the failure when it throws. */
async function endedWith<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A Redis MULTI/EXEC as one span named `MULTI`, with the command names (never keys or values) as its query text:
 * `redisTransaction(["INCRBYFLOAT", "EXPIRE"], () => redis.multi().incrbyfloat(k, 1).expire(k, 60).exec())`.
 */
export function redisTransaction<T>(
  commands: readonly string[],
  fn: () => Promise<T>,
  server?: { host?: string; port?: number },
): Promise<T> {
  const attributes: Attributes = {
    [ATTR_DB_SYSTEM_NAME]: "redis",
    [ATTR_DB_OPERATION_NAME]: "MULTI",
    [ATTR_DB_QUERY_TEXT]: ["MULTI", ...commands, "EXEC"].join(" "),
  };
  if (server?.host) attributes[ATTR_SERVER_ADDRESS] = server.host;
  if (server?.port) attributes[ATTR_SERVER_PORT] = server.port;
  return asOneSpan("MULTI", attributes, fn);
}

/**
 * Runs fn as one client span that stands for the remote call it makes — an AI provider's API, a partner service —
 * with whatever HTTP client: the HTTP client instrumentations record nothing inside it (an undici or `http` span
 * under it would repeat its duration with a subset of what it knows), and fn gets the span's W3C trace context as
 * headers to send, so the callee's server span is this span's child and the trace stays whole. Unlike asOneSpan the
 * span stays active inside: log lines written there carry its trace and span id.
 *
 * `await callSpan("chat gpt-4o", { "server.address": host }, (span, headers) => request(url, { headers }))`
 */
export function callSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span, traceHeaders: Record<string, string>) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
  const traced = trace.setSpan(context.active(), span);
  const traceHeaders: Record<string, string> = {};
  propagation.inject(traced, traceHeaders);
  return endedWith(span, () => context.with(suppressTracing(traced), () => fn(span, traceHeaders)));
}

const tracer = () => trace.getTracer(LOOKOUT_TRACER);
