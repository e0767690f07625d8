/**
 * The synthetic flows' Prometheus metrics (names agreed with the alert rules and dashboards: see
 * docs/health-aggregator.md, "Synthetic flows"). Labels are flow names and step names from code — a bounded set,
 * never anything from a response. Registered on the aggregator's registry, so they are served by its /metrics.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type RunOutcome = "success" | "failure" | "timeout";

export const RUN_OUTCOMES: readonly RunOutcome[] = ["success", "failure", "timeout"];

export type TraceAssertionOutcome = "passed" | "failed" | "unavailable";

export const TRACE_ASSERTION_OUTCOMES: readonly TraceAssertionOutcome[] = ["passed", "failed", "unavailable"];

/** What recordRun needs of a run's trace result (synthetics' TraceResult). */
export interface TraceOutcome {
  status: TraceAssertionOutcome;
  durationMs: number;
  assertions: readonly { name: string; status: TraceAssertionOutcome }[];
}

export class SyntheticMetrics {
  readonly runs: Counter<"flow" | "outcome">;
  readonly runDuration: Histogram<"flow">;
  readonly stepDuration: Histogram<"flow" | "step">;
  readonly consecutiveFailures: Gauge<"flow">;
  readonly alertThreshold: Gauge<"flow">;
  readonly lastRunSuccess: Gauge<"flow">;
  readonly lastRunTimestamp: Gauge<"flow">;
  readonly traceAssertions: Counter<"flow" | "assertion" | "outcome">;
  readonly traceAssertionLastPassed: Gauge<"flow" | "assertion">;
  readonly traceUnavailable: Counter<"flow">;
  readonly traceWait: Histogram<"flow">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.runs = new Counter({
      name: "lookout_synthetic_runs_total",
      help: "Synthetic flow runs, by flow and outcome (success, failure or timeout).",
      labelNames: ["flow", "outcome"],
      registers,
    });
    // Flows call AI services through three hops: seconds, not milliseconds, are the interesting range.
    this.runDuration = new Histogram({
      name: "lookout_synthetic_run_duration_seconds",
      help: "Duration of one synthetic flow run, every step and retry included.",
      labelNames: ["flow"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
      registers,
    });
    this.stepDuration = new Histogram({
      name: "lookout_synthetic_step_duration_seconds",
      help: "Duration of one step of a synthetic flow (its last attempt).",
      labelNames: ["flow", "step"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.consecutiveFailures = new Gauge({
      name: "lookout_synthetic_consecutive_failures",
      help: "Runs of the flow that failed or timed out in a row (0 after a success).",
      labelNames: ["flow"],
      registers,
    });
    this.alertThreshold = new Gauge({
      name: "lookout_synthetic_alert_threshold",
      help: "Consecutive failed runs of the flow that should raise an alert (the flow's alertAfter).",
      labelNames: ["flow"],
      registers,
    });
    this.lastRunSuccess = new Gauge({
      name: "lookout_synthetic_last_run_success",
      help: "1 when the flow's last run succeeded, 0 when it failed or timed out.",
      labelNames: ["flow"],
      registers,
    });
    this.lastRunTimestamp = new Gauge({
      name: "lookout_synthetic_last_run_timestamp_seconds",
      help: "Unix time at which the flow's last run finished.",
      labelNames: ["flow"],
      registers,
    });
    this.traceAssertions = new Counter({
      name: "lookout_synthetic_trace_assertions_total",
      help: "Trace assertions evaluated on synthetic runs' traces, by flow, assertion and outcome (passed, failed, or unavailable: the trace could not be read).",
      labelNames: ["flow", "assertion", "outcome"],
      registers,
    });
    this.traceAssertionLastPassed = new Gauge({
      name: "lookout_synthetic_trace_assertion_last_passed",
      help: "1 when the trace assertion held on the last run whose trace could be read, 0 when it failed.",
      labelNames: ["flow", "assertion"],
      registers,
    });
    this.traceUnavailable = new Counter({
      name: "lookout_synthetic_trace_unavailable_total",
      help: "Synthetic runs whose trace could not be read from Jaeger in time (Jaeger down or the trace missing): their trace assertions were not evaluated.",
      labelNames: ["flow"],
      registers,
    });
    // The wait is mostly the gateway's tail-sampling decision wait (10 s by default).
    this.traceWait = new Histogram({
      name: "lookout_synthetic_trace_wait_seconds",
      help: "Time a synthetic run spent waiting for and reading its trace, after its steps.",
      labelNames: ["flow"],
      buckets: [1, 2.5, 5, 10, 12.5, 15, 20, 30, 60],
      registers,
    });
  }

  /** Declares a scheduled flow: its threshold, and zeroed counters so rate() and absent() work from the start. */
  declareFlow(flow: string, alertAfter: number, consecutiveFailures: number, traceAssertions: readonly string[]): void {
    this.alertThreshold.set({ flow }, alertAfter);
    this.consecutiveFailures.set({ flow }, consecutiveFailures);
    for (const outcome of RUN_OUTCOMES) this.runs.inc({ flow, outcome }, 0);
    if (traceAssertions.length === 0) return;
    this.traceUnavailable.inc({ flow }, 0);
    for (const assertion of traceAssertions)
      for (const outcome of TRACE_ASSERTION_OUTCOMES) this.traceAssertions.inc({ flow, assertion, outcome }, 0);
  }

  recordRun(
    flow: string,
    run: {
      outcome: RunOutcome;
      durationMs: number;
      finishedAt: number;
      steps: { name: string; durationMs: number }[];
      trace?: TraceOutcome;
    },
    consecutiveFailures: number,
  ): void {
    this.runs.inc({ flow, outcome: run.outcome });
    this.runDuration.observe({ flow }, run.durationMs / 1000);
    for (const step of run.steps) this.stepDuration.observe({ flow, step: step.name }, step.durationMs / 1000);
    this.consecutiveFailures.set({ flow }, consecutiveFailures);
    this.lastRunSuccess.set({ flow }, run.outcome === "success" ? 1 : 0);
    this.lastRunTimestamp.set({ flow }, Math.floor(run.finishedAt / 1000));
    if (!run.trace) return;
    this.traceWait.observe({ flow }, run.trace.durationMs / 1000);
    if (run.trace.status === "unavailable") this.traceUnavailable.inc({ flow });
    for (const a of run.trace.assertions) {
      this.traceAssertions.inc({ flow, assertion: a.name, outcome: a.status });
      if (a.status !== "unavailable")
        this.traceAssertionLastPassed.set({ flow, assertion: a.name }, a.status === "passed" ? 1 : 0);
    }
  }

  /** Drops every series of a flow no longer enabled, so it does not linger as stale data. */
  forgetFlow(flow: string, steps: readonly string[], traceAssertions: readonly string[]): void {
    for (const outcome of RUN_OUTCOMES) this.runs.remove({ flow, outcome });
    this.runDuration.remove({ flow });
    for (const step of steps) this.stepDuration.remove({ flow, step });
    for (const gauge of [this.consecutiveFailures, this.alertThreshold, this.lastRunSuccess, this.lastRunTimestamp])
      gauge.remove({ flow });
    this.traceUnavailable.remove({ flow });
    this.traceWait.remove({ flow });
    for (const assertion of traceAssertions) {
      for (const outcome of TRACE_ASSERTION_OUTCOMES) this.traceAssertions.remove({ flow, assertion, outcome });
      this.traceAssertionLastPassed.remove({ flow, assertion });
    }
  }
}
