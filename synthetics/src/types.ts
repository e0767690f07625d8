/**
 * The flow model. A flow is a named, scheduled list of steps; each step is either a declarative HTTP request with
 * assertions and extractions, or an async function for what the declarative form cannot say. Strings in a request
 * may use `{{name}}` variables: `urls.<system>` (the base URLs from the aggregator's config), `secrets.<name>` (from
 * the environment variable the flow declares for it) and whatever earlier steps extracted.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** How a failed step is tried again: `retries` more attempts, `backoffMs` apart. */
export interface RetryPolicy {
  retries: number;
  backoffMs: number;
}

/** What a step checks in the response. Each failure reports what was expected and what was found. */
export type Assertion =
  | { kind: "status"; equals: number | readonly number[] }
  | {
      kind: "jsonPath";
      path: string;
      equals?: Json;
      exists?: boolean;
      matches?: string;
      oneOf?: readonly Json[];
      lessThan?: number;
      greaterThan?: number;
    }
  | { kind: "header"; name: string; equals?: string; matches?: string; exists?: boolean }
  | { kind: "responseTime"; lessThanMs: number }
  | { kind: "body"; contains?: string; matches?: string }
  | { kind: "jsonSchema"; schema: Record<string, unknown> }
  // AI-aware assertions: what a generic HTTP check does not know to look at.
  /** Token counts present and positive (an answer with no usage was not metered). */
  | { kind: "tokenUsage"; inputPath: string; outputPath: string }
  /** The call's cost is recorded (a number) and under the budget, in USD. */
  | { kind: "costUnder"; path: string; budgetUsd: number }
  /** The answer finished on its own: the finish reason is "stop", not "length" (cut off at max_tokens). */
  | { kind: "notTruncated"; finishReasonPath: string }
  /** The model that answered is the one expected (a silent model change or a failover is caught). */
  | { kind: "model"; path: string; expected: string | readonly string[] };

/** Where a variable's value comes from in a response. `secret: true` scrubs it from every output like a secret. */
export type Extraction =
  | { jsonPath: string; secret?: boolean }
  | { header: string; secret?: boolean }
  | { pattern: string; group?: number; secret?: boolean };

export interface HttpRequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type set); string values anywhere in it may use variables. */
  json?: Json;
}

interface StepCommon {
  name: string;
  /** Overrides the flow's retry policy (0 for a step that must not be repeated). */
  retry?: RetryPolicy;
}

export interface HttpStep extends StepCommon {
  request: HttpRequestSpec;
  assert?: readonly Assertion[];
  extract?: Record<string, Extraction>;
}

/** The answer of a traced HTTP call made from a function step. */
export interface StepResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
  durationMs: number;
}

export interface StepContext {
  /** Variables so far; a function step may add to them. */
  vars: Record<string, string>;
  /** An HTTP call inside this step's span, with `traceparent` and the run's abort signal. */
  http(spec: HttpRequestSpec): Promise<StepResponse>;
  /** Fails the step with what was expected and what was found. */
  fail(message: string, expected: unknown, actual: unknown): never;
  /** Aborted when the run times out: pass it on to anything that waits. */
  signal: AbortSignal;
  /** Waits (for polling), or rejects when the run is aborted. */
  sleep(ms: number): Promise<void>;
}

export interface FunctionStep extends StepCommon {
  run: (ctx: StepContext) => Promise<void>;
  /** The variables it sets, so later steps may use them (checked at load time). */
  provides?: readonly string[];
}

export type Step = HttpStep | FunctionStep;

export interface Flow {
  /** Lower-case id: metric label, URL segment, config key. */
  name: string;
  description: string;
  /** Cron expression (node-cron, UTC; 5 fields, or 6 with seconds first). */
  schedule: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Consecutive failed runs that should raise an alert (exported as lookout_synthetic_alert_threshold). */
  alertAfter: number;
  /**
   * After a failed run, run again this many milliseconds later instead of waiting for the next scheduled tick, until
   * the flow passes or has failed `alertAfter` times in a row (a "retry interval", as uptime checkers call it). Time to
   * alert is then at most one schedule interval + (alertAfter − 1) × (recheckMs + run time); without it, alertAfter
   * whole schedule intervals. Absent: failed runs wait for the schedule.
   */
  recheckMs?: number;
  /** Secret name → the environment variable holding it; used as `{{secrets.<name>}}`. */
  secrets?: Record<string, string>;
  steps: readonly Step[];
  /** Run after the steps whatever happened (even after a timeout), to remove what the run created. */
  cleanup?: readonly Step[];
  /**
   * Checks on the run's own trace, as Jaeger holds it once the gateway's tail sampler has kept it: what the services
   * did behind the HTTP answers (a failover, a second model call, a missing cost attribute). Evaluated after the
   * steps and cleanup when every step passed (synthetics/src/trace-assertions.ts); a run that already failed does
   * not wait for its trace.
   */
  traceAssertions?: readonly TraceAssertion[];
}

// Trace assertions: select spans of the run's trace, then check them.

/** A scalar attribute value as Jaeger returns it. */
export type AttributeValue = string | number | boolean;

/** How an attribute value is compared: a plain value is `equals`. All given conditions must hold. */
export type ValueMatcher =
  | AttributeValue
  | {
      equals?: AttributeValue;
      oneOf?: readonly AttributeValue[];
      /** A regular expression, tested against the value as a string. */
      matches?: string;
      /** true: the attribute is present; false: it is absent. */
      exists?: boolean;
      greaterThan?: number;
      lessThan?: number;
    };

export type SpanKindName = "server" | "client" | "internal" | "producer" | "consumer";

/** Which spans of the trace an assertion is about; every given condition must hold. */
export interface SpanSelector {
  /** The span's `service.name`. */
  service?: string;
  /** The span's name: the exact name, or `{ matches: <regular expression> }`. */
  name?: string | { matches: string };
  kind?: SpanKindName;
  /** Span attributes (resource attributes are not searched). */
  attributes?: Record<string, ValueMatcher>;
  /** Its direct parent matches this selector. */
  parent?: SpanSelector;
  /** Some span above it (parent, grandparent…) matches this selector. */
  ancestor?: SpanSelector;
  /** At least one of its direct children matches this selector. */
  child?: SpanSelector;
}

export type SpanStatusName = "ok" | "error" | "unset";

/** What must hold of the selected spans. */
export type TraceCheck =
  /** How many spans were selected. */
  | { kind: "count"; equals?: number; atLeast?: number; atMost?: number }
  /** Every selected span ends within the bound. */
  | { kind: "duration"; lessThanMs: number }
  /** Every selected span has one of these statuses ("ok" and "unset" both mean "not an error" to most SDKs). */
  | { kind: "status"; equals: SpanStatusName | readonly SpanStatusName[] }
  /** Every selected span carries the attribute, matching. */
  | { kind: "attribute"; key: string; value: ValueMatcher }
  /** Every selected span starts after the end of each span `after` selects (which must select at least one). */
  | { kind: "order"; after: SpanSelector };

export interface TraceAssertion {
  /** Lower-case id: metric label, shown in results (e.g. no-failover). */
  name: string;
  /** What it catches, in a sentence, shown when it fails. */
  description: string;
  select: SpanSelector;
  /** Checks on the selected spans; none means `count atLeast 1`. */
  expect?: readonly TraceCheck[];
}

export type StepStatus = "passed" | "failed" | "skipped";

export interface StepFailure {
  /** The assertion or problem, e.g. `jsonPath $.model equals`. */
  assertion: string;
  expected: string;
  actual: string;
  message: string;
}

export interface StepResult {
  name: string;
  status: StepStatus;
  durationMs: number;
  attempts: number;
  cleanup?: boolean;
  httpStatus?: number;
  failure?: StepFailure;
  spanId?: string;
}

export type RunOutcome = "success" | "failure" | "timeout";

/** One trace assertion's result: passed, failed, or not evaluated because the trace could not be read. */
export type TraceAssertionStatus = "passed" | "failed" | "unavailable";

export interface TraceAssertionResult {
  name: string;
  status: TraceAssertionStatus;
  /** Failed: the check that did not hold, e.g. `count equals`. */
  check?: string;
  expected?: string;
  actual?: string;
  /** Failed: one line naming the span and the value found. */
  message?: string;
  /** The offending span (failed), for a link to it in Jaeger. */
  spanId?: string;
  service?: string;
  spanName?: string;
}

/**
 * The trace part of a run. "unavailable" — Jaeger could not be reached or the trace did not arrive in time — is
 * neither a pass nor a failure of the service: the run's outcome is then its steps' outcome.
 */
export interface TraceResult {
  status: "passed" | "failed" | "unavailable";
  /** Unavailable: why (Jaeger's answer, or how long the runner waited). */
  reason?: string;
  /** Time spent waiting for and reading the trace. */
  durationMs: number;
  assertions: TraceAssertionResult[];
}

export interface RunResult {
  flow: string;
  runId: string;
  traceId: string;
  trigger: "schedule" | "recheck" | "manual" | "local";
  startedAt: number;
  durationMs: number;
  outcome: RunOutcome;
  steps: StepResult[];
  /** The first failure, in one line (scrubbed like everything else). */
  error?: string;
  /** The trace assertions' outcome, when the flow has any, a trace source was given and the steps passed. */
  trace?: TraceResult;
}

export function isHttpStep(step: Step): step is HttpStep {
  return "request" in step;
}

/** Identity helper that gives a flow file its types. */
export function defineFlow(flow: Flow): Flow {
  return flow;
}
