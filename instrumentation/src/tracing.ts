/**
 * Tracing: the OpenTelemetry Node SDK wired the way Lookout's collector expects — OTLP gRPC to the gateway with the
 * bearer token, a parent-based always-on sampler by default (the collector's tail sampler decides what to keep;
 * OTEL_TRACES_SAMPLER opts into head sampling), W3C trace
 * context only (no baggage: it would carry user data across services), the resource from the standard `OTEL_*`
 * variables, and one instrumentation per library the services use. Never a request or response body; headers only
 * from an allowlist.
 *
 * ESM: Node's ES module loader does not go through `require`, so the libraries are patched by import-in-the-middle,
 * registered here as a loader hook before any of them is imported. Call startTracing() first and import the app
 * afterwards (dynamic `import()`).
 */
import { register } from "node:module";
import { hostname } from "node:os";
import { FastifyOtelInstrumentation } from "@fastify/otel";
import { context, propagation, type Span, trace } from "@opentelemetry/api";
import { isTracingSuppressed, W3CTraceContextPropagator } from "@opentelemetry/core";
import { type Instrumentation, registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { RedisInstrumentation } from "@opentelemetry/instrumentation-redis";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { createAddHookMessageChannel } from "import-in-the-middle";
import type { Request } from "express";
import { CONTRACT } from "./contract.js";
import { LOOKOUT_TRACER } from "./spans.js";
import { expressRoute, UNMATCHED_ROUTE } from "./http.js";
import { redactedQuery, ServerSpans } from "./server-span.js";
import { batchSettings, EncodingSpanProcessor, encodedBatchExporter } from "./span-export.js";

/**
 * Request and response headers that may become span attributes. Everything else (cookies, auth…) never does.
 * Only the request id, which joins a span to the logs of a proxy or a client: `user-agent` is already recorded as
 * `user_agent.original`, and content-type and content-length, on the server and the client span, request and
 * response, were eight array attributes with 30-character keys per RelayCore request — serialising attribute strings
 * is the largest single part of the export's cost (docs/instrumentation.md, "What it costs").
 */
export const HEADER_ALLOWLIST: readonly string[] = CONTRACT.headerAllowlist;

/** Paths whose server spans are not worth a trace: probes and scrapes arrive every few seconds. */
const UNTRACED_PATHS = new Set(CONTRACT.untracedPaths);

export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  env?: NodeJS.ProcessEnv;
  /** Replaces the OTLP exporter's batch processor (tests use an in-memory exporter). */
  spanProcessor?: SpanProcessor;
  /**
   * Server spans from installExpress()'s middleware instead of @opentelemetry/instrumentation-http's incoming side
   * (see server-span.ts). Every Express app of the process must then be set up with installExpress().
   */
  expressServerSpans?: boolean;
}

export interface Tracing {
  readonly provider: NodeTracerProvider;
  /** The Express server spans, when TracingOptions.expressServerSpans asked for them. */
  readonly serverSpans: ServerSpans | undefined;
  /** Flushes every buffered span to the collector. */
  flush(): Promise<void>;
  /** Flushes, then stops exporting and unpatches the libraries. */
  shutdown(): Promise<void>;
}

let esmHook: ReturnType<typeof createAddHookMessageChannel> | undefined;

/**
 * Registers import-in-the-middle's loader hook once per process, limited to the modules the instrumentations ask
 * for (the message channel tells the loader thread which ones), so the rest of the ESM graph is left alone.
 */
function esmHookChannel(): ReturnType<typeof createAddHookMessageChannel> {
  if (!esmHook) {
    esmHook = createAddHookMessageChannel();
    register("import-in-the-middle/hook.mjs", import.meta.url, esmHook.registerOptions);
  }
  return esmHook;
}

/** The bearer token for the gateway: OTEL_EXPORTER_OTLP_HEADERS wins (the exporter reads it), else LOOKOUT_OTLP_TOKEN. */
function bearerToken(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_HEADERS || env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) return undefined;
  return env.LOOKOUT_OTLP_TOKEN ? `Bearer ${env.LOOKOUT_OTLP_TOKEN}` : undefined;
}

/**
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, as the SDK specification defines them:
 * `grpc` (Lookout's default: the gateway's 4317) or `http/protobuf` (the gateway's 4318; the exporter appends
 * /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT). `http/json` is refused, naming the variable: it costs more to encode
 * and nothing in Lookout needs it.
 */
export function otlpProtocol(env: NodeJS.ProcessEnv): "grpc" | "http/protobuf" {
  const name = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const raw = env[name];
  const value = (raw ?? "").trim().toLowerCase();
  if (value === "" || value === "grpc") return "grpc";
  if (value === "http/protobuf") return "http/protobuf";
  throw new TracingConfigError(
    `${name}=${JSON.stringify(raw)} is not supported: use "grpc" (the default) or "http/protobuf"`,
  );
}

/**
 * The matched Express route template (`/v1/workflows/:id`, with the mount path of its router) as the server span's
 * `http.route` and name, set once when the response finishes — from what Express left on the request, rather than by
 * @opentelemetry/instrumentation-express, which wraps every middleware and router layer of every request to learn
 * the same thing (about a twentieth of a RelayCore request's telemetry CPU, bench/instrumentation.ts). Fastify's
 * server spans get theirs from @fastify/otel.
 */
function expressRouteOnServerSpan(span: Span, request: unknown): void {
  const route = expressRoute(request as Request);
  if (route === UNMATCHED_ROUTE) return; // a client request, or a request no route took
  span.setAttribute(ATTR_HTTP_ROUTE, route);
  span.updateName(`${(request as Request).method} ${route}`);
}

function instrumentations(expressServerSpans: boolean): Instrumentation[] {
  const headers = [...HEADER_ALLOWLIST];
  // Redis commands are recorded by name only: their arguments are keys and values, i.e. user data.
  const commandOnly = (command: string) => command;
  return [
    new HttpInstrumentation({
      // Lookout's Express middleware makes the server spans (server-span.ts); outgoing node:http requests stay traced.
      disableIncomingRequestInstrumentation: expressServerSpans,
      headersToSpanAttributes: {
        server: { requestHeaders: headers, responseHeaders: headers },
        client: { requestHeaders: headers, responseHeaders: headers },
      },
      ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? "").split("?")[0] ?? ""),
      ignoreOutgoingRequestHook: () => isTracingSuppressed(context.active()),
      requestHook: (span, request) => {
        const url = "url" in request ? request.url : undefined;
        if (typeof url === "string" && url.includes("?")) {
          span.setAttribute("url.query", redactedQuery(url.slice(url.indexOf("?") + 1)));
        }
      },
      // Called for client requests too: those carry no `route`, and are left alone.
      applyCustomAttributesOnSpan: (span, request) => expressRouteOnServerSpan(span, request),
    }),
    // Fastify moved its instrumentation into @fastify/otel (the @opentelemetry/instrumentation-fastify package is
    // deprecated and stops at Fastify 4); it registers itself on every Fastify instance through diagnostics_channel.
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: (route) => UNTRACED_PATHS.has(route.url),
    }),
    new UndiciInstrumentation({
      headersToSpanAttributes: { requestHeaders: headers, responseHeaders: headers },
      // Inside untraced(), asOneSpan() or callSpan() no span would be recorded anyway: return before parsing the URL
      // and the headers of the request.
      ignoreRequestHook: () => isTracingSuppressed(context.active()),
    }),
    // requireParentSpan: background health checks (SELECT 1, PING) must not each start a trace of their own.
    // ignoreConnectSpans: a `pg-pool.connect` span per query (a pool checkout, sub-millisecond when the pool is warm)
    // doubled the database spans; a slow checkout still shows as the gap before the query span starts.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true, enhancedDatabaseReporting: false }),
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: commandOnly }),
    new RedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: commandOnly }),
  ];
}

export class TracingConfigError extends Error {
  readonly code = "LOOKOUT_ERR_CONFIG";
}

/**
 * OTEL_TRACES_EXPORTER, as the SDK specification defines it: `otlp` (the default) or `none` — traces made and
 * propagated but exported nowhere (bench/instrumentation.ts uses it to tell the cost of making spans from the cost of
 * exporting them). Lookout ships only the OTLP exporter, so any other value is refused rather than ignored.
 */
export function tracesExporter(env: NodeJS.ProcessEnv): "otlp" | "none" {
  const value = (env.OTEL_TRACES_EXPORTER ?? "otlp").trim().toLowerCase();
  if (value === "none") return "none";
  if (value === "otlp" || value === "") return "otlp";
  throw new TracingConfigError(
    `OTEL_TRACES_EXPORTER=${JSON.stringify(env.OTEL_TRACES_EXPORTER)} is not supported: use "otlp" (the default) or "none"`,
  );
}

/** The OTEL_TRACES_SAMPLER values the SDK specification defines that Lookout supports. */
const SAMPLERS = [
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
  "always_on",
  "always_off",
  "traceidratio",
] as const;

/**
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, as the SDK specification defines them. The default is
 * parent-based always-on: the gateway's tail sampler then sees every trace and keeps every error and slow one. A head
 * sampler (`parentbased_traceidratio` with a ratio) is the opt-in for a service that cannot afford to trace every
 * request; docs/performance.md says what it costs. An unknown sampler or a ratio outside [0, 1] is refused, naming
 * the variable and the value, where the SDK would fall back to its default without a word.
 */
export function tracesSampler(env: NodeJS.ProcessEnv): Sampler {
  const raw = env.OTEL_TRACES_SAMPLER;
  const name = (raw ?? "").trim().toLowerCase() || "parentbased_always_on";
  if (!(SAMPLERS as readonly string[]).includes(name)) {
    throw new TracingConfigError(
      `OTEL_TRACES_SAMPLER=${JSON.stringify(raw)} is not supported: use one of ${SAMPLERS.join(", ")}`,
    );
  }
  const ratio = () => {
    const arg = env.OTEL_TRACES_SAMPLER_ARG;
    if (arg === undefined || arg.trim() === "") return 1;
    const value = Number(arg);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new TracingConfigError(
        `OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(arg)} is not a sampling ratio between 0 and 1 (for ${name})`,
      );
    }
    return value;
  };
  const root = name.endsWith("always_off")
    ? new AlwaysOffSampler()
    : name.endsWith("traceidratio")
      ? new TraceIdRatioBasedSampler(ratio())
      : new AlwaysOnSampler();
  return name.startsWith("parentbased_") ? new ParentBasedSampler({ root }) : root;
}

/**
 * OTEL_SDK_DISABLED, as the specification defines it: `true` (any case) turns the tracing SDK off — no spans, no
 * export, no propagation; `false` or unset leave it on. Any other value is refused rather than read as false.
 */
export function sdkDisabled(env: NodeJS.ProcessEnv): boolean {
  const raw = env.OTEL_SDK_DISABLED;
  const value = (raw ?? "").trim().toLowerCase();
  if (value === "true") return true;
  if (value === "false" || value === "") return false;
  throw new TracingConfigError(`OTEL_SDK_DISABLED=${JSON.stringify(raw)} is not a boolean: use "true" or "false"`);
}

/** Starts tracing for this process. Call it before importing anything it instruments. */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const env = options.env ?? process.env;
  // Settings first: a bad value is refused before anything is patched or registered.
  const exporter = tracesExporter(env);
  const sampler = tracesSampler(env);
  const protocol = otlpProtocol(env);
  const batches = batchSettings(env);
  const hook = esmHookChannel();
  // defaultResource(): telemetry.sdk.name, .language and .version, which the SDK does not add by itself when given a
  // resource (test/conformance found Node spans without telemetry.sdk.language).
  const defaults = defaultResource().merge(
    resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion ?? "0.1.0",
      "host.name": hostname(),
      "process.pid": process.pid,
    }),
  );
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults (merge: the argument wins).
  const resource = defaults.merge(detectResources({ detectors: [envDetector] }));
  const processors = options.spanProcessor
    ? [options.spanProcessor]
    : exporter === "none"
      ? [] // spans are still made, sampled, propagated and ended; nothing is exported
      : [new EncodingSpanProcessor(encodedBatchExporter(protocol, bearerToken(env)), batches)];
  const provider = new NodeTracerProvider({
    resource,
    sampler,
    spanProcessors: processors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: instrumentations(options.expressServerSpans === true),
  });
  await hook.waitForAllMessagesAcknowledged();
  return {
    provider,
    serverSpans: options.expressServerSpans ? new ServerSpans(trace.getTracer(LOOKOUT_TRACER)) : undefined,
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      unregister();
      await provider.shutdown();
      propagation.disable();
    },
  };
}
