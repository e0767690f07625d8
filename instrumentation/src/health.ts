/**
 * `/health` answered from memory. Each dependency (database, Redis, a downstream service) is checked in the
 * background on its own interval, and the last result is kept; /health only reads those results and the request
 * window, so it answers at once even while a check hangs. A check still running after its timeout counts as
 * unhealthy from that moment (without waiting for it to settle), and a check never overlaps its own previous run.
 */
import { context } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { RequestWindow } from "./window.js";

export type HealthStatus = "healthy" | "degraded" | "unhealthy";

/** The HealthCheckResponse contract (its JSON schema is in instrumentation/contract.json). */
export interface HealthCheckResponse {
  status: HealthStatus;
  timestamp: string;
  uptime: number;
  version: string;
  dependencies: Record<string, { status: HealthStatus; responseTime: number }>;
  metrics: { requestsPerMinute: number; errorRate: number; avgResponseTime: number };
}

export interface DependencyCheck {
  /** `database`, `redis`, `relaycore`, `neuroweaver`… */
  name: string;
  /** Resolves when the dependency answered correctly; rejects (or never settles) otherwise. */
  check: () => Promise<void>;
  /** An unhealthy critical dependency makes the service unhealthy; any other makes it degraded. Default true. */
  critical?: boolean;
  /** Default 10 s. */
  intervalMs?: number;
  /** Default 2 s. */
  timeoutMs?: number;
  /** A successful answer slower than this is "degraded". Default 1 s. */
  slowMs?: number;
}

export interface HealthMonitorOptions {
  version: string;
  checks: DependencyCheck[];
  window: RequestWindow;
  /** Clock seam. */
  now?: () => number;
  /** Extra overall status from the service itself (e.g. an injected fault), combined with the dependencies'. */
  selfStatus?: () => HealthStatus;
}

interface CheckState {
  readonly spec: Required<DependencyCheck>;
  status: HealthStatus;
  responseTime: number;
  /** When the running check started; undefined when none runs. */
  runningSince: number | undefined;
  running: Promise<void> | undefined;
  lastError: string | undefined;
}

const rank: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export class HealthMonitor {
  private readonly checks: CheckState[];
  private readonly now: () => number;
  private readonly startedAt: number;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: HealthMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.checks = options.checks.map((c) => ({
      spec: { critical: true, intervalMs: 10_000, timeoutMs: 2_000, slowMs: 1_000, ...c },
      // Unknown until the first check answers: not healthy (start() awaits one round before the service listens).
      status: "unhealthy",
      responseTime: 0,
      runningSince: undefined,
      running: undefined,
      lastError: "not checked yet",
    }));
  }

  /** Runs every check once (awaited: each settles or times out), then keeps checking on each interval. */
  async start(): Promise<void> {
    await this.refresh();
    for (const state of this.checks) {
      const timer = setInterval(() => void this.run(state), state.spec.intervalMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Runs every check now; resolves when each has settled or timed out. */
  async refresh(): Promise<void> {
    await Promise.all(this.checks.map((state) => this.run(state)));
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** Whether a check of this dependency is running right now (tests; diagnostics). */
  pending(name: string): boolean {
    return this.checks.find((c) => c.spec.name === name)?.running !== undefined;
  }

  /** The last error of each unhealthy dependency, for logs (never in /health: it could leak internals). */
  errors(): Record<string, string> {
    return Object.fromEntries(
      this.checks.filter((c) => c.lastError !== undefined).map((c) => [c.spec.name, c.lastError as string]),
    );
  }

  /** The HealthCheckResponse, from memory. */
  report(): HealthCheckResponse {
    const now = this.now();
    const dependencies: HealthCheckResponse["dependencies"] = {};
    let overall: HealthStatus = this.options.selfStatus?.() ?? "healthy";
    for (const state of this.checks) {
      let { status, responseTime } = state;
      // A check hanging past its timeout is unhealthy now, even though its promise has not settled.
      if (state.runningSince !== undefined && now - state.runningSince > state.spec.timeoutMs) {
        status = "unhealthy";
        responseTime = now - state.runningSince;
      }
      dependencies[state.spec.name] = { status, responseTime: Math.round(responseTime * 100) / 100 };
      const effect: HealthStatus = status === "unhealthy" && !state.spec.critical ? "degraded" : status;
      if (rank[effect] > rank[overall]) overall = effect;
    }
    return {
      status: overall,
      timestamp: new Date(now).toISOString(),
      uptime: Math.round((now - this.startedAt) / 1000),
      version: this.options.version,
      dependencies,
      metrics: this.options.window.summary(),
    };
  }

  private run(state: CheckState): Promise<void> {
    // Never overlap: a slow dependency must not accumulate one stuck check per interval.
    if (state.running) return this.settledOrTimedOut(state);
    const started = this.now();
    state.runningSince = started;
    const attempt = Promise.resolve()
      // Checks are bookkeeping, not traffic: no spans (a database PING every 10 s would be a trace each time).
      .then(() => context.with(suppressTracing(context.active()), state.spec.check))
      .then(
        () => {
          const ms = this.now() - started;
          state.status = ms > state.spec.slowMs ? "degraded" : "healthy";
          state.responseTime = ms;
          state.lastError = undefined;
        },
        (error: unknown) => {
          state.status = "unhealthy";
          state.responseTime = this.now() - started;
          state.lastError = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        state.running = undefined;
        state.runningSince = undefined;
      });
    state.running = attempt;
    return this.settledOrTimedOut(state);
  }

  /** Resolves when the running check settles or its timeout passes, whichever comes first. */
  private settledOrTimedOut(state: CheckState): Promise<void> {
    const running = state.running;
    if (!running) return Promise.resolve();
    const remaining = Math.max(0, state.spec.timeoutMs - (this.now() - (state.runningSince ?? this.now())));
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (state.running === running) {
          state.status = "unhealthy";
          state.responseTime = state.spec.timeoutMs;
          state.lastError = `no answer within ${state.spec.timeoutMs} ms`;
        }
        resolve();
      }, remaining);
      timer.unref();
      void running.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
