/** The synthetics package's public surface: the flow model, validation, loading, the runner and its tracing. */
export * from "./types.js";
export { validateFlow, validateFlows, flowProblems } from "./validate.js";
export { loadFlowFile } from "./load.js";
export { runFlow, type RunOptions, type RunClock } from "./runner.js";
export { createTracing, tracingFromEnv, SYNTHETICS_SERVICE_NAME, type SyntheticTracing } from "./tracing.js";
export { Scrubber, REDACTED } from "./template.js";
export { check as checkAssertion, describeAssertion } from "./assertions.js";
export { evaluatePath } from "./jsonpath.js";
export {
  jaegerTraceSource,
  jaegerTraceSourceFromEnv,
  jaegerTraceUrl,
  parseJaegerTrace,
  type TraceSource,
  type TraceSpan,
  type JaegerQueryOptions,
} from "./jaeger.js";
export { evaluateTraceAssertions, describeSelector } from "./trace-assertions.js";
export { type TraceOptions } from "./trace-check.js";
