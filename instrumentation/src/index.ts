/** Lookout's instrumentation for Node services: see instrument.ts for the one call and docs/instrumentation.md. */
export { type AiCall, type AiOutcome, AI_ATTRIBUTES, recordAiCall, UserIdHasher } from "./ai.js";
export { bearerMatches, unauthorized } from "./auth.js";
export { type Contract, CONTRACT, CONTRACT_URL, type MetricSpec, metricSpec } from "./contract.js";
export { type DependencyCheck, type HealthCheckResponse, HealthMonitor, type HealthStatus } from "./health.js";
export {
  expressMetrics,
  expressRoute,
  type HttpTelemetry,
  installExpress,
  installFastify,
  UNMATCHED_ROUTE,
} from "./http.js";
export { type Instrumentation, InstrumentationConfigError, type InstrumentOptions, instrument } from "./instrument.js";
export { createLogger, traceFields } from "./logger.js";
export { methodLabel, type PoolLike, type RedisClientLike, ServiceMetrics } from "./metrics.js";
export { asOneSpan, callSpan, redisTransaction, untraced } from "./spans.js";
export { HEADER_ALLOWLIST, startTracing, type Tracing } from "./tracing.js";
export { RequestWindow, type WindowSummary } from "./window.js";
