/**
 * The one call: `await instrument({ serviceName })` gives a Node service tracing to the collector, the contract
 * metrics, a trace-correlated logger, the AI-call recorder and the pieces of /health. Settings come from the
 * environment, read once here:
 *
 * | variable | meaning |
 * |---|---|
 * | `OTEL_EXPORTER_OTLP_ENDPOINT` | the gateway's OTLP gRPC endpoint (default `http://localhost:4317`) |
 * | `OTEL_EXPORTER_OTLP_PROTOCOL` | `grpc` (default) or `http/protobuf` (then the endpoint is the gateway's 4318) |
 * | `OTEL_EXPORTER_OTLP_HEADERS` or `LOOKOUT_OTLP_TOKEN` | the bearer token (`Authorization=Bearer …`, or the token alone) |
 * | `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` | override the resource |
 * | `LOOKOUT_METRICS_TOKEN` | bearer token for /metrics (required, ≥ 16 characters) |
 * | `LOOKOUT_USER_ID_HASH_KEY` | key for hashing user ids in span attributes (≥ 32 bytes, shared with the collector) |
 * | `OTEL_TRACES_EXPORTER` | `otlp` (default) or `none`: spans are made and propagated but not exported |
 * | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | head sampling opt-in (default `parentbased_always_on`) |
 * | `OTEL_SDK_DISABLED` | `true` disables tracing (metrics and logs stay) |
 * | `LOOKOUT_TRACING` | `off` disables tracing (metrics and logs stay) |
 * | `LOOKOUT_INSTRUMENTATION` | `off` disables all of it: no tracing, no HTTP or AI metrics, plain logs (benchmark baseline) |
 *
 * Import the code it instruments (Express, Fastify, pg, ioredis…) only after this resolves.
 */
import type { Span } from "@opentelemetry/api";
import { type DestinationStream, type Logger, pino } from "pino";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { type AiCall, recordAiCall, UserIdHasher } from "./ai.js";
import { type DependencyCheck, HealthMonitor, type HealthStatus } from "./health.js";
import type { HttpTelemetry } from "./http.js";
import { createLogger } from "./logger.js";
import { ServiceMetrics } from "./metrics.js";
import { sdkDisabled, startTracing, type Tracing } from "./tracing.js";
import { RequestWindow } from "./window.js";

export interface InstrumentOptions {
  serviceName: string;
  version?: string;
  env?: NodeJS.ProcessEnv;
  /** Tests: an in-memory span processor instead of the OTLP exporter. */
  spanProcessor?: SpanProcessor;
  /** Tests: where log lines go. */
  logDestination?: DestinationStream;
  /** Clock seam for the health window and uptime. */
  now?: () => number;
  /**
   * An Express service: its server spans come from installExpress()'s middleware (server-span.ts) rather than from
   * @opentelemetry/instrumentation-http, which costs more per request to learn the same. Every Express app of the
   * process must then be set up with installExpress().
   */
  expressServerSpans?: boolean;
}

export interface Instrumentation extends HttpTelemetry {
  /** False when LOOKOUT_INSTRUMENTATION=off: the service runs as if it had never been instrumented. */
  readonly enabled: boolean;
  readonly serviceName: string;
  readonly version: string;
  readonly tracing: Tracing | undefined;
  readonly logger: Logger;
  readonly users: UserIdHasher;
  /** Records one AI call on the active span (or span) and in the metrics. */
  recordAiCall(call: AiCall, span?: Span): void;
  /** The health monitor for these dependency checks; start() it before listening. */
  healthMonitor(checks: DependencyCheck[], selfStatus?: () => HealthStatus): HealthMonitor;
  /** Flushes spans and stops tracing. */
  shutdown(): Promise<void>;
}

export class InstrumentationConfigError extends Error {
  readonly code = "LOOKOUT_ERR_CONFIG";
}

export async function instrument(options: InstrumentOptions): Promise<Instrumentation> {
  const env = options.env ?? process.env;
  const metricsToken = env.LOOKOUT_METRICS_TOKEN ?? "";
  // Security by default: without a token /metrics could not be protected, so refuse to start.
  if (metricsToken.length < 16) {
    throw new InstrumentationConfigError(
      "LOOKOUT_METRICS_TOKEN must be set (at least 16 characters) to protect /metrics",
    );
  }
  const version = options.version ?? "0.1.0";
  const enabled = env.LOOKOUT_INSTRUMENTATION !== "off";
  const tracing =
    !enabled || env.LOOKOUT_TRACING === "off" || sdkDisabled(env)
      ? undefined
      : await startTracing({
          serviceName: options.serviceName,
          serviceVersion: version,
          env,
          spanProcessor: options.spanProcessor,
          expressServerSpans: options.expressServerSpans,
        });
  // Off means off: not even the runtime collectors, so the benchmark's baseline is the service as if never instrumented.
  const metrics = new ServiceMetrics({ defaultMetrics: enabled });
  const window = new RequestWindow(options.now);
  const logger = enabled
    ? createLogger({ name: options.serviceName, destination: options.logDestination })
    : pino({ name: options.serviceName, level: process.env.LOG_LEVEL ?? "info" }, options.logDestination);
  const users = new UserIdHasher(env.LOOKOUT_USER_ID_HASH_KEY);
  if (!env.LOOKOUT_USER_ID_HASH_KEY) {
    logger.warn(
      "LOOKOUT_USER_ID_HASH_KEY is not set: user ids are hashed with a random key, different in each process",
    );
  }
  return {
    enabled,
    serviceName: options.serviceName,
    version,
    tracing,
    serverSpans: tracing?.serverSpans,
    metrics,
    window,
    metricsToken,
    logger,
    users,
    recordAiCall: (call, span) => {
      if (enabled) recordAiCall(metrics, users, call, span);
    },
    healthMonitor: (checks, selfStatus) => new HealthMonitor({ version, checks, window, now: options.now, selfStatus }),
    shutdown: async () => {
      await tracing?.shutdown();
    },
  };
}
