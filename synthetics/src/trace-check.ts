/**
 * After a run: wait for its trace in the trace store, then evaluate the flow's trace assertions. The gateway's tail
 * sampler holds a trace for its decision wait (otel-collector/gateway.yaml, `decision_wait`) before Jaeger sees any
 * of it, and spans of one trace can arrive in more than one batch, so the store is polled until the trace holds every
 * span the runner itself made (root and steps) and its span count stays the same over one poll interval — bounded by
 * a timeout. A store that cannot be read, or a trace that does not arrive in time, makes the result "unavailable":
 * no assertion is evaluated and the run's outcome stays its steps' outcome.
 */
import { abortableSleep } from "./abort.js";
import type { RunClock } from "./clock.js";
import type { TraceSource, TraceSpan } from "./jaeger.js";
import { expandJson, MissingVariable } from "./template.js";
import { evaluateTraceAssertions } from "./trace-assertions.js";
import type { Json, TraceAssertion, TraceAssertionResult, TraceResult } from "./types.js";

export interface TraceCheckOptions {
  source: TraceSource;
  /** How long to wait for the trace, from the end of the run. */
  timeoutMs: number;
  /** Between two reads of the store. */
  pollMs: number;
  now(): number;
  /** Waits ms, or rejects when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
}

/** Waits for the trace holding `requiredSpanIds`, then evaluates the assertions. */
export async function checkTrace(
  assertions: readonly TraceAssertion[],
  traceId: string,
  requiredSpanIds: readonly string[],
  options: TraceCheckOptions,
): Promise<TraceResult> {
  const started = options.now();
  const deadline = started + options.timeoutMs;
  const elapsed = () => Math.round(options.now() - started);
  const unavailable = (reason: string): TraceResult => ({
    status: "unavailable",
    reason,
    durationMs: elapsed(),
    assertions: assertions.map((a) => ({ name: a.name, status: "unavailable" })),
  });
  let previousCount = -1;
  let spans: TraceSpan[] | undefined;
  let lastError: string | undefined;
  for (;;) {
    let complete = false;
    try {
      spans = await options.source.fetchTrace(traceId, options.signal);
      lastError = undefined;
      const ids = new Set((spans ?? []).map((s) => s.spanId));
      complete = spans !== undefined && requiredSpanIds.every((id) => ids.has(id));
    } catch (error) {
      if (options.signal.aborted) return unavailable("the run was aborted while waiting for its trace");
      lastError = (error as Error).message || String(error);
    }
    if (complete && spans!.length === previousCount) break;
    previousCount = complete ? spans!.length : -1;
    if (options.now() + options.pollMs > deadline) {
      if (complete) break; // complete but still growing at the deadline: judge what arrived
      const waited = `${(options.timeoutMs / 1000).toFixed(0)} s`;
      if (lastError !== undefined) return unavailable(`${options.source.description} could not be read: ${lastError}`);
      if (spans === undefined)
        return unavailable(`trace ${traceId} was not in ${options.source.description} after ${waited}`);
      return unavailable(
        `trace ${traceId} in ${options.source.description} was still missing spans of the run after ${waited} (${spans.length} spans)`,
      );
    }
    try {
      await options.sleep(options.pollMs, options.signal);
    } catch {
      return unavailable("the run was aborted while waiting for its trace");
    }
  }
  const results = evaluateTraceAssertions(assertions, spans!);
  return {
    status: results.every((r) => r.status === "passed") ? "passed" : "failed",
    durationMs: elapsed(),
    assertions: results,
  };
}

/** Where the runner reads the run's trace for the flow's trace assertions. */
export interface TraceOptions {
  source: TraceSource;
  /** Sends the run's spans now (the tracer's forceFlush) instead of at the exporter's next batch. */
  flush?: () => Promise<void>;
  /** How long to wait for the trace after the run (default 30 s: the sampler's 10 s decision wait, with room). */
  timeoutMs?: number;
  /** Between two reads of the trace store (default 1 s). */
  pollMs?: number;
}

/**
 * An assertion with the run's variables filled in (e.g. the deployment id a step extracted), or a failed result when
 * the run never set one of them (the step that extracts it failed): there is nothing to compare with.
 */
function expandTraceAssertion(
  a: TraceAssertion,
  vars: Readonly<Record<string, string>>,
): TraceAssertion | TraceAssertionResult {
  try {
    return expandJson(a as unknown as Json, vars) as unknown as TraceAssertion;
  } catch (error) {
    if (!(error instanceof MissingVariable)) throw error;
    return {
      name: a.name,
      status: "failed",
      check: "variables",
      expected: `a value for {{${error.variable}}}`,
      actual: "(none)",
      message: `trace assertion "${a.name}" (${a.description}): uses {{${error.variable}}}, which the run did not set (the step that extracts it did not pass)`,
    };
  }
}

/** The runner's call, once the root span has ended: flush, then wait and evaluate; an outer abort ends the wait. */
export async function traceAfterRun(
  declared: readonly TraceAssertion[],
  vars: Readonly<Record<string, string>>,
  traceId: string,
  requiredSpanIds: readonly string[],
  traces: TraceOptions,
  clock: RunClock,
  outer: AbortSignal | undefined,
): Promise<TraceResult> {
  const expanded = declared.map((a) => expandTraceAssertion(a, vars));
  const assertions = expanded.filter((a): a is TraceAssertion => "select" in a);
  await traces.flush?.().catch(() => {}); // an export that fails shows as a trace that does not arrive
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  outer?.addEventListener("abort", onAbort, { once: true });
  if (outer?.aborted) stop.abort();
  let result: TraceResult;
  try {
    result = await checkTrace(assertions, traceId, requiredSpanIds, {
      source: traces.source,
      timeoutMs: traces.timeoutMs ?? 30_000,
      pollMs: traces.pollMs ?? 1_000,
      now: () => clock.now(),
      sleep: (ms, signal) => abortableSleep(ms, signal, clock),
      signal: stop.signal,
    });
  } finally {
    outer?.removeEventListener("abort", onAbort);
  }
  if (assertions.length === expanded.length) return result;
  // In the flow's order, those that could not be filled in as failed (whether or not the trace arrived).
  const evaluated = new Map(result.assertions.map((r) => [r.name, r]));
  const all = expanded.map((a) => ("select" in a ? evaluated.get(a.name)! : a));
  return { ...result, status: result.status === "unavailable" ? "unavailable" : "failed", assertions: all };
}
