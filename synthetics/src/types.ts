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
}

export function isHttpStep(step: Step): step is HttpStep {
  return "request" in step;
}

/** Identity helper that gives a flow file its types. */
export function defineFlow(flow: Flow): Flow {
  return flow;
}
