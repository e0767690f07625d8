/**
 * The aggregator's Prometheus metrics, all prefixed `lookout_`. Labels are the target id and system from config —
 * never anything from a response — so their cardinality is the config's size. Availability gauges are refreshed
 * from the store in the background (one grouped query per window), never computed during a scrape.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TargetConfig } from "./config/load.js";
import type { CheckResult, Status } from "./checks/types.js";
import { SyntheticMetrics } from "./synthetics/metrics.js";

const STATUSES: readonly Status[] = ["healthy", "degraded", "unhealthy"];

export class AggregatorMetrics {
  readonly registry = new Registry();
  readonly checks: Counter<"target" | "result">;
  readonly checkDuration: Histogram<"target" | "kind">;
  readonly checkLag: Histogram;
  readonly checksSkipped: Counter;
  readonly targetUp: Gauge<"target" | "system">;
  readonly targetStatus: Gauge<"target" | "status">;
  readonly availability: Gauge<"target" | "window">;
  readonly incidentsOpen: Gauge;
  readonly failovers: Counter<"target">;
  readonly alertsReceived: Counter<"status">;
  /** lookout_synthetic_*: runs of the synthetic flows (synthetics/metrics.ts). */
  readonly synthetics: SyntheticMetrics;
  readonly targetInMaintenance: Gauge<"target">;
  readonly maintenanceWindowsActive: Gauge;
  private maintenanceSource: (() => { targets: { id: string; active: boolean }[]; windowsActive: number }) | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "lookout_aggregator_" });
    // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool check metrics flags
    // them); the process_* and heap metrics carry the same information.
    for (const gauge of [
      "nodejs_active_handles_total",
      "nodejs_active_requests_total",
      "nodejs_active_resources_total",
    ]) {
      this.registry.removeSingleMetric(`lookout_aggregator_${gauge}`);
    }
    this.checks = new Counter({
      name: "lookout_checks_total",
      help: "Health checks run, by target and result status.",
      labelNames: ["target", "result"],
      registers,
    });
    this.checkDuration = new Histogram({
      name: "lookout_check_duration_seconds",
      help: "Duration of one health check, retries included.",
      labelNames: ["target", "kind"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.checkLag = new Histogram({
      name: "lookout_check_lag_seconds",
      help: "How late a check started against its scheduled time.",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.checksSkipped = new Counter({
      name: "lookout_checks_skipped_total",
      help: "Checks not started because the previous run of the same check was still in progress.",
      registers,
    });
    this.targetUp = new Gauge({
      name: "lookout_target_up",
      help: "1 when the target's confirmed status is healthy or degraded, 0 when unhealthy.",
      labelNames: ["target", "system"],
      registers,
    });
    this.targetStatus = new Gauge({
      name: "lookout_target_status",
      help: "1 for the target's current confirmed status, 0 for the others.",
      labelNames: ["target", "status"],
      registers,
    });
    this.availability = new Gauge({
      name: "lookout_target_availability_ratio",
      help: "Time-weighted availability over the window (unobserved time excluded).",
      labelNames: ["target", "window"],
      registers,
    });
    this.incidentsOpen = new Gauge({ name: "lookout_incidents_open", help: "Incidents currently open.", registers });
    this.failovers = new Counter({
      name: "lookout_failovers_total",
      help: "Times a target's primary instance failed and a secondary took over.",
      labelNames: ["target"],
      registers,
    });
    const source = () => this.maintenanceSource?.();
    // Both computed at scrape time from memory (the calendar mirrors open windows): a window starts and ends on its
    // own, without a check result or request to update a gauge.
    this.targetInMaintenance = new Gauge({
      name: "lookout_target_in_maintenance",
      help: "1 while the target is in a maintenance window, else 0 (alert rules may use it to stay quiet).",
      labelNames: ["target"],
      registers,
      collect() {
        const now = source();
        if (!now) return;
        this.reset();
        for (const t of now.targets) this.set({ target: t.id }, t.active ? 1 : 0);
      },
    });
    this.maintenanceWindowsActive = new Gauge({
      name: "lookout_maintenance_windows_active",
      help: "Maintenance windows active now.",
      registers,
      collect() {
        this.set(source()?.windowsActive ?? 0);
      },
    });
    this.alertsReceived = new Counter({
      name: "lookout_alert_notifications_received_total",
      help: "Alertmanager webhook notifications received, by alert status.",
      labelNames: ["status"],
      registers,
    });
    this.synthetics = new SyntheticMetrics(this.registry);
  }

  /** Where the maintenance gauges read their values at scrape time. */
  observeMaintenance(source: () => { targets: { id: string; active: boolean }[]; windowsActive: number }): void {
    this.maintenanceSource = source;
  }

  recordCheck(target: TargetConfig, result: CheckResult, kind: string): void {
    this.checks.inc({ target: target.id, result: result.status });
    this.checkDuration.observe({ target: target.id, kind }, result.durationMs / 1000);
  }

  setTargetStatus(target: TargetConfig, status: Status): void {
    this.targetUp.set({ target: target.id, system: target.system }, status === "unhealthy" ? 0 : 1);
    for (const s of STATUSES) this.targetStatus.set({ target: target.id, status: s }, s === status ? 1 : 0);
  }

  /** Drops every series of a target removed from the config, so it does not linger as stale data. */
  forgetTarget(target: TargetConfig): void {
    this.targetUp.remove({ target: target.id, system: target.system });
    for (const status of STATUSES) {
      this.targetStatus.remove({ target: target.id, status });
      this.checks.remove({ target: target.id, result: status });
    }
    for (const window of AVAILABILITY_WINDOWS) this.availability.remove({ target: target.id, window });
    for (const kind of ["http", "tcp", "postgres", "redis"]) this.checkDuration.remove({ target: target.id, kind });
  }
}

/** Windows of lookout_target_availability_ratio. */
export const AVAILABILITY_WINDOWS = ["24h", "7d", "30d"] as const;
