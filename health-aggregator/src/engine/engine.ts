/**
 * The aggregator's engine: schedules every target instance, runs its check, and passes each CheckResult through the
 * stages — state (hysteresis, failover), store (raw result, time-weighted rollups), incidents (open, close, root
 * cause across the dependency graph) and metrics. Reloading a config keeps history and the schedule of unchanged
 * targets.
 */
import type { Agent } from "undici";
import type { Logger } from "pino";
import type { AggregatorConfig, TargetConfig } from "../config/load.js";
import { runCheck } from "../checks/run.js";
import type { CheckResult } from "../checks/types.js";
import { AVAILABILITY_WINDOWS, type AggregatorMetrics } from "../metrics.js";
import type {
  FailoverRepository,
  IncidentRepository,
  Interval,
  Retained,
  ResultWriter,
  UptimeRepository,
} from "../store/types.js";
import { type Clock, Scheduler, systemClock } from "./scheduler.js";
import { applyResult, newTargetState, rootCause, type TargetState } from "./state.js";

export interface EngineDeps {
  /** Where results and observations go (store/uptime-writer.ts on SQLite). */
  results: ResultWriter;
  /** Availability for lookout_target_availability_ratio. */
  uptime: Pick<UptimeRepository, "availabilityOfAll">;
  incidents: IncidentRepository;
  failovers: FailoverRepository;
  /** The hourly retention job's: every repository's (store/storage.ts). */
  retention: Retained;
  pool: Agent;
  metrics: AggregatorMetrics;
  logger: Logger;
  clock?: Clock;
  concurrency?: number;
  /** Runs one check; tests and benchmarks may replace it, the default probes the real target. */
  check?: (target: TargetConfig, instance: string) => Promise<CheckResult>;
  /** Maintenance windows (see maintenance/calendar.ts); without it no target is ever in maintenance. */
  maintenance?: {
    isActive(targetId: string, at: number): boolean;
    intervals(targetId: string): Interval[];
  };
}

const JOB_SEPARATOR = "\u0000";

export class Engine {
  readonly states = new Map<string, TargetState>();
  private config: AggregatorConfig;
  private readonly scheduler: Scheduler;
  private readonly openIncidents = new Map<string, number>();
  private readonly clock: Clock;
  private retentionTimer: unknown;
  private availabilityTimer: unknown;

  constructor(
    config: AggregatorConfig,
    private readonly deps: EngineDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.config = config;
    this.scheduler = new Scheduler({
      clock: this.clock,
      concurrency: deps.concurrency ?? 256,
      run: (key) => this.runJob(key),
      onLag: (_key, lagMs) => deps.metrics.checkLag.observe(lagMs / 1000),
      onSkip: () => deps.metrics.checksSkipped.inc(),
    });
    for (const incident of deps.incidents.list({ openOnly: true, limit: 10_000 })) {
      this.openIncidents.set(incident.targetId, incident.id);
    }
    this.apply(config);
  }

  get currentConfig(): AggregatorConfig {
    return this.config;
  }

  /** Installs a (re)loaded config: new targets start, removed ones stop, unchanged ones keep their state. */
  apply(config: AggregatorConfig): void {
    this.config = config;
    const ids = new Set(config.targets.map((t) => t.id));
    for (const [id, state] of [...this.states]) {
      if (!ids.has(id)) {
        this.states.delete(id);
        this.deps.metrics.forgetTarget(state.config);
      }
    }
    for (const target of config.targets) {
      const state = this.states.get(target.id);
      if (state) {
        state.config = target;
        for (const name of [...state.instances.keys()])
          if (!target.instances.some((i) => i.name === name)) state.instances.delete(name);
      } else {
        this.states.set(target.id, newTargetState(target));
      }
    }
    this.scheduler.setJobs(
      config.targets.flatMap((t) =>
        t.instances.map((i) => ({ key: `${t.id}${JOB_SEPARATOR}${i.name}`, intervalMs: t.intervalMs })),
      ),
    );
  }

  start(): void {
    this.scheduler.start();
    const retention = () => {
      try {
        this.deps.retention.applyRetention(this.clock.now(), this.config.history);
      } catch (error) {
        this.deps.logger.error({ err: error }, "retention job failed");
      }
      this.retentionTimer = this.clock.setTimeout(retention, 3_600_000);
    };
    this.retentionTimer = this.clock.setTimeout(retention, 60_000);
    const refresh = () => {
      this.refreshAvailability();
      this.availabilityTimer = this.clock.setTimeout(refresh, 60_000);
    };
    this.availabilityTimer = this.clock.setTimeout(refresh, 5_000);
  }

  /** Sets lookout_target_availability_ratio for every target and window from the store. */
  refreshAvailability(): void {
    const now = this.clock.now();
    const spans = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
    try {
      for (const window of AVAILABILITY_WINDOWS) {
        const values = this.deps.uptime.availabilityOfAll(now - spans[window], now);
        for (const [target, ratio] of values) {
          if (this.states.has(target)) this.deps.metrics.availability.set({ target, window }, ratio);
        }
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, "availability refresh failed");
    }
  }

  async stop(): Promise<void> {
    if (this.retentionTimer !== undefined) this.clock.clearTimeout(this.retentionTimer);
    if (this.availabilityTimer !== undefined) this.clock.clearTimeout(this.availabilityTimer);
    await this.scheduler.stop();
    this.deps.results.flush();
  }

  get inFlight(): number {
    return this.scheduler.inFlight;
  }

  private async runJob(key: string): Promise<void> {
    const [targetId, instanceName] = key.split(JOB_SEPARATOR) as [string, string];
    const state = this.states.get(targetId);
    const instance = state?.config.instances.find((i) => i.name === instanceName);
    if (!state || !instance) return;
    const result = this.deps.check
      ? await this.deps.check(state.config, instanceName)
      : await runCheck({ pool: this.deps.pool, now: () => this.clock.now() }, state.config, instance);
    this.record(result);
  }

  /** Passes one result through every stage. Public so tests can feed results without a network. */
  record(result: CheckResult): void {
    const state = this.states.get(result.targetId);
    if (!state) return;
    const { results, metrics, logger } = this.deps;
    results.addResult(result);
    const kind = state.config.instances.find((i) => i.name === result.instance)?.check.kind ?? "http";
    metrics.recordCheck(state.config, result, kind);
    const { transition, failover } = applyResult(state, result);
    const windows = this.deps.maintenance?.intervals(result.targetId);
    results.observe({
      targetId: result.targetId,
      at: result.at,
      status: state.confirmed ?? state.observed ?? result.status,
      latencyMs: result.durationMs,
      maxGapMs: 2 * state.config.intervalMs + state.config.timeoutMs,
      ...(windows?.length ? { maintenanceWindows: windows } : {}),
    });
    metrics.setTargetStatus(state.config, state.confirmed ?? result.status);
    if (failover) {
      this.deps.failovers.record(failover);
      metrics.failovers.inc({ target: failover.targetId });
      logger.warn(
        { target: failover.targetId, from: failover.from, to: failover.to },
        "failover to a secondary instance",
      );
    }
    if (transition) {
      logger.info(
        { target: transition.targetId, from: transition.from, to: transition.to, error: result.error },
        "target status changed",
      );
      this.updateIncidents(transition.targetId, transition.to, transition.at, result.error);
    }
  }

  /** Opens or closes the target's incident, and re-derives root causes of every open incident. */
  private updateIncidents(targetId: string, to: string, at: number, error: string | undefined): void {
    const { incidents } = this.deps;
    const open = this.openIncidents.get(targetId);
    if (to === "unhealthy" && open === undefined) {
      const name = this.states.get(targetId)?.config.name ?? targetId;
      const id = incidents.open({
        targetId,
        startedAt: at,
        rootCause: rootCause(targetId, this.states),
        affected: [targetId],
        summary: `${name} is down${error ? `: ${error}` : ""}`,
        maintenance: this.deps.maintenance?.isActive(targetId, at) ?? false,
      });
      this.openIncidents.set(targetId, id);
    } else if (to !== "unhealthy" && open !== undefined) {
      incidents.update(open, { endedAt: at });
      this.openIncidents.delete(targetId);
    }
    // A dependency going down (or recovering) changes the root cause of the others' incidents.
    const byRoot = new Map<string, string[]>();
    for (const id of this.openIncidents.keys()) {
      const root = rootCause(id, this.states);
      byRoot.set(root, [...(byRoot.get(root) ?? []), id]);
    }
    for (const [id, incidentId] of this.openIncidents) {
      const root = rootCause(id, this.states);
      incidents.update(incidentId, { rootCause: root, affected: byRoot.get(root) ?? [id] });
    }
    this.deps.metrics.incidentsOpen.set(this.openIncidents.size);
  }
}
