/**
 * Runs the enabled synthetic flows on their cron schedules (node-cron, UTC) and on demand, one run of a flow at a
 * time: a scheduled tick or a manual trigger that finds the flow's steps still running is refused, never queued or
 * doubled up. The wait for a run's trace (its trace assertions, after the sampler's decision) does not hold the flow:
 * the next run may start meanwhile, and a result that arrives after a newer run's does not change the consecutive
 * failures that newer run set. A failed run of a flow with a recheck delay is run again that much later (trigger "recheck"), until it passes or
 * reaches its alert threshold, so a real failure alerts within seconds rather than alertAfter schedule intervals; the
 * next scheduled tick takes over from a pending recheck. Each finished run is stored, exported as metrics and logged
 * (scrubbed: no secret reaches the log). Scheduler, clock, tracer and environment are passed in, so tests drive
 * schedules and time without waiting for the wall clock.
 */
import cron from "node-cron";
import type { Logger } from "pino";
import type { Tracer } from "@opentelemetry/api";
import type { Dispatcher } from "undici";
import {
  jaegerTraceUrl,
  type RunClock,
  runFlow,
  type Flow,
  type RunResult,
  type TraceOptions,
} from "../../../synthetics/index.js";
import type { SyntheticMetrics } from "./metrics.js";
import type { SyntheticsConfig } from "./config.js";
import type { SyntheticRunRepository } from "../store/types.js";

/** Calls run on every match of a cron expression until stopped. */
export interface CronScheduler {
  schedule(expression: string, name: string, run: () => void): { stop(): void };
}

export const nodeCronScheduler: CronScheduler = {
  schedule(expression, name, run) {
    // Overlap is handled by the service (manual runs count too); node-cron just ticks.
    const task = cron.schedule(expression, run, { timezone: "Etc/UTC", name: `synthetic ${name}` });
    return {
      stop: () => {
        void Promise.resolve(task.destroy()).catch(() => {});
      },
    };
  },
};

export interface SyntheticsDeps {
  catalogue: readonly Flow[];
  store: SyntheticRunRepository;
  metrics: SyntheticMetrics;
  logger: Logger;
  tracer: Tracer;
  clock: RunClock;
  scheduler?: CronScheduler;
  env?: NodeJS.ProcessEnv;
  dispatcher?: Dispatcher;
  /** Where runs read their trace for the flows' trace assertions; absent: trace assertions are not evaluated. */
  traces?: TraceOptions;
}

export interface FlowState {
  flow: Flow;
  schedule: string;
  recheckMs: number | undefined;
  consecutiveFailures: number;
  /** The run whose steps are in progress (its trace may be awaited after they are done, see `pending`). */
  running: Promise<RunResult> | undefined;
  /** Every run not yet finished, trace wait included, with its abort (shutdown aborts and awaits them all). */
  pending: Map<Promise<RunResult>, AbortController>;
  /** The start of the newest run whose result set consecutiveFailures. */
  appliedStartedAt: number;
  /** A recheck waiting to run (after a failed run of a flow with recheckMs). */
  recheck: NodeJS.Timeout | undefined;
}

export class FlowBusyError extends Error {
  constructor(flow: string) {
    super(`a run of flow "${flow}" is already in progress`);
  }
}

export class SyntheticsService {
  readonly flows = new Map<string, FlowState>();
  private config: SyntheticsConfig | undefined;
  private tasks = new Map<string, { stop(): void }>();
  private started = false;
  private closed = false;

  constructor(private readonly deps: SyntheticsDeps) {}

  get jaegerUiUrl(): string | undefined {
    return this.config?.jaegerUiUrl;
  }

  /** Installs a (re)loaded config: flows start, stop or change schedule; a run in progress finishes undisturbed. */
  apply(config: SyntheticsConfig | undefined): void {
    this.config = config;
    const wanted = new Map((config?.flows ?? []).map((f) => [f.name, f]));
    for (const [name, state] of [...this.flows]) {
      if (wanted.has(name)) continue;
      clearTimeout(state.recheck);
      this.flows.delete(name);
      this.deps.metrics.forgetFlow(
        name,
        [...state.flow.steps, ...(state.flow.cleanup ?? [])].map((s) => s.name),
        this.traceAssertionNames(state.flow),
      );
    }
    for (const entry of wanted.values()) {
      const flow = this.deps.catalogue.find((f) => f.name === entry.name);
      if (!flow) continue; // config validation names unknown flows
      const state = this.flows.get(entry.name);
      if (state) {
        state.schedule = entry.schedule;
        state.recheckMs = entry.recheckMs;
      } else
        this.flows.set(entry.name, {
          flow,
          schedule: entry.schedule,
          recheckMs: entry.recheckMs,
          consecutiveFailures: this.storedStreak(flow.name),
          running: undefined,
          pending: new Map(),
          appliedStartedAt: 0,
          recheck: undefined,
        });
      const current = this.flows.get(entry.name)!;
      this.deps.metrics.declareFlow(
        flow.name,
        flow.alertAfter,
        current.consecutiveFailures,
        this.traceAssertionNames(flow),
      );
    }
    if (this.started) this.reschedule();
  }

  /** The flow's trace assertions that runs evaluate (none without a trace source). */
  private traceAssertionNames(flow: Flow): string[] {
    return this.deps.traces ? (flow.traceAssertions ?? []).map((a) => a.name) : [];
  }

  start(): void {
    this.started = true;
    this.reschedule();
  }

  private reschedule(): void {
    for (const task of this.tasks.values()) task.stop();
    this.tasks.clear();
    const scheduler = this.deps.scheduler ?? nodeCronScheduler;
    for (const [name, state] of this.flows)
      this.tasks.set(
        name,
        scheduler.schedule(state.schedule, name, () => {
          this.trigger(name, "schedule").catch((error: unknown) => {
            if (error instanceof FlowBusyError)
              this.deps.logger.warn({ flow: name }, "synthetic run skipped: the previous run is still in progress");
            else this.deps.logger.error({ flow: name, err: error }, "synthetic run could not start");
          });
        }),
      );
  }

  /**
   * Starts a run now; rejects with FlowBusyError while another run's steps are in progress, or when the flow is unknown
   * or disabled. Resolves with the whole result, trace assertions included.
   */
  trigger(name: string, trigger: RunResult["trigger"]): Promise<RunResult> {
    const state = this.flows.get(name);
    if (!state || this.closed) return Promise.reject(new Error(`no enabled flow named "${name}"`));
    if (state.running) return Promise.reject(new FlowBusyError(name));
    clearTimeout(state.recheck);
    state.recheck = undefined;
    const abort = new AbortController();
    // Frees the flow for its next run once this one's steps are done (called after `run` is assigned).
    const release = () => {
      if (state.running === run) state.running = undefined;
    };
    const run: Promise<RunResult> = runFlow(state.flow, {
      tracer: this.deps.tracer,
      urls: this.config?.urls ?? {},
      env: this.deps.env,
      trigger,
      clock: this.deps.clock,
      signal: abort.signal,
      dispatcher: this.deps.dispatcher,
      traces: this.deps.traces,
      onStepsDone: () => queueMicrotask(release),
    }).then((result) => this.finish(state, result));
    state.running = run;
    state.pending.set(run, abort);
    void run.finally(() => {
      release();
      state.pending.delete(run);
    });
    return run;
  }

  private finish(state: FlowState, result: RunResult): RunResult {
    // A run whose trace wait outlasted a newer run's result is stored and counted, but the newer one tells the streak.
    const superseded = result.startedAt < state.appliedStartedAt;
    if (!superseded) {
      state.appliedStartedAt = result.startedAt;
      state.consecutiveFailures = result.outcome === "success" ? 0 : state.consecutiveFailures + 1;
    }
    try {
      this.deps.store.add(result);
    } catch (error) {
      this.deps.logger.error({ flow: result.flow, err: error }, "could not store a synthetic run");
    }
    this.deps.metrics.recordRun(
      result.flow,
      { ...result, finishedAt: result.startedAt + result.durationMs },
      state.consecutiveFailures,
    );
    const fields = {
      flow: result.flow,
      outcome: result.outcome,
      ...(result.trace ? { trace: result.trace.status } : {}),
      trigger: result.trigger,
      durationMs: result.durationMs,
      traceId: result.traceId,
      consecutiveFailures: state.consecutiveFailures,
    };
    if (result.outcome === "success") this.deps.logger.info(fields, "synthetic run passed");
    else this.deps.logger.warn({ ...fields, error: result.error }, "synthetic run failed");
    if (result.trace?.status === "unavailable")
      this.deps.logger.warn(
        { flow: result.flow, traceId: result.traceId, reason: result.trace.reason },
        "synthetic run's trace unavailable: its trace assertions were not evaluated",
      );
    if (!superseded) this.scheduleRecheck(state, result);
    return result;
  }

  /** After a failed run below the alert threshold, runs the flow again in recheckMs (the schedule may come first). */
  private scheduleRecheck(state: FlowState, result: RunResult): void {
    const { flow, recheckMs } = state;
    if (this.closed || result.outcome === "success" || recheckMs === undefined) return;
    if (state.consecutiveFailures >= flow.alertAfter) return; // alerting now; the schedule goes on checking
    if (this.flows.get(flow.name) !== state) return; // disabled meanwhile
    state.recheck = setTimeout(() => {
      state.recheck = undefined;
      this.trigger(flow.name, "recheck").catch((error: unknown) => {
        if (!(error instanceof FlowBusyError))
          this.deps.logger.error({ flow: flow.name, err: error }, "synthetic recheck could not start");
      });
    }, recheckMs);
    state.recheck.unref();
  }

  runs(name: string, limit: number): RunResult[] {
    return this.deps.store.runs(name, limit);
  }

  /** Failed runs since the flow's last success, as stored (what the status page shows). */
  storedStreak(name: string): number {
    let n = 0;
    for (const run of this.deps.store.runs(name, 100)) {
      if (run.outcome === "success") break;
      n++;
    }
    return n;
  }

  /** The run's trace in the Jaeger UI, opened at one span when spanId is given. */
  traceUrl(traceId: string, spanId?: string): string | undefined {
    return this.config?.jaegerUiUrl ? jaegerTraceUrl(this.config.jaegerUiUrl, traceId, spanId) : undefined;
  }

  /** Stops the schedules, aborts runs in progress (they end as timeouts, cleanup included) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.flows.values()) clearTimeout(state.recheck);
    for (const task of this.tasks.values()) task.stop();
    this.tasks.clear();
    const running: Promise<RunResult>[] = [];
    for (const state of this.flows.values()) {
      for (const [run, abort] of state.pending) {
        abort.abort();
        running.push(run);
      }
    }
    await Promise.allSettled(running);
  }
}
