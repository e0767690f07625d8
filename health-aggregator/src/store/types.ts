/**
 * The storage contract: what the engine, the read models and the route modules need from the uptime database, as
 * interfaces over plain values. storage.ts implements them on SQLite (better-sqlite3, so the methods are synchronous);
 * no interface hands out a database handle or a statement, so a PostgreSQL implementation can follow the same shapes
 * with promises. test-support/contract.ts is the suite every implementation passes.
 */
import type { RunResult } from "../../../synthetics/index.js";
import type { CheckResult, Status } from "../checks/types.js";

/** A half-open time interval [start, end) in ms. */
export interface Interval {
  start: number;
  end: number;
}

/** One observation of a target: the time since its previous one is attributed to that one's status. */
export interface Observation {
  targetId: string;
  at: number;
  status: Status;
  latencyMs: number;
  /** Coverage of the previous observation ends here at the latest (e.g. 2 × interval + timeout). */
  maxGapMs: number;
  /** True while the target is in a maintenance window: that time counts neither as up nor as down. */
  maintenance?: boolean;
  /**
   * The target's maintenance windows near this observation. When given, the time since the previous observation is
   * split at their edges — exactly the part inside a window counts as maintenance — and `maintenance` is ignored.
   */
  maintenanceWindows?: readonly Interval[];
}

/** A raw check result as stored, newest first when listed. */
export interface StoredResult {
  at: number;
  instance: string;
  status: Status;
  durationMs: number;
  error: string | null;
}

export interface LatencySummary {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  checks: number;
}

export interface Availability {
  /** Fraction of observed, non-maintenance time that was healthy or degraded; null when nothing was observed. */
  availability: number | null;
  upMs: number;
  degradedMs: number;
  downMs: number;
  maintenanceMs: number;
  noDataMs: number;
  latency: LatencySummary;
}

export interface DailyBar {
  day: string;
  availability: number | null;
  downMs: number;
  noDataMs: number;
}

/** Time per state in one rollup period, in ms. */
export interface DayTotals {
  up: number;
  degraded: number;
  down: number;
  maintenance: number;
}

export interface Incident {
  id: number;
  targetId: string;
  startedAt: number;
  endedAt: number | null;
  rootCause: string;
  affected: string[];
  summary: string;
  /** Opened while the target was in a maintenance window. */
  maintenance: boolean;
}

export interface Failover {
  targetId: string;
  at: number;
  from: string;
  to: string;
}

/** One alert instance from Alertmanager, reduced to what is safe to keep and show (no free-form labels). */
export interface AlertRecord {
  fingerprint: string;
  startsAt: number;
  endsAt: number | null;
  status: "firing" | "resolved";
  alertname: string;
  severity: string;
  service: string | null;
  summary: string;
}

export interface MaintenanceWindow {
  id: number;
  start: number;
  end: number;
  /** True when someone ended it before its planned end (`end` is then when that happened). */
  endedEarly: boolean;
  targets: string[];
  systems: string[];
  reason: string;
  createdBy: string;
  createdAt: number;
  /** Alertmanager silences created for it (empty when no Alertmanager is configured). */
  silenceIds: string[];
}

export type WindowState = "active" | "upcoming" | "past";

/** lookout.yml's history section: how long each tier is kept, in days. */
export interface RetentionPolicy {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
}

/** Rows removed per table by a retention pass. */
export type Removed = Record<string, number>;

/** Every repository deletes its own tables' old rows. */
export interface Retained {
  applyRetention(now: number, policy: RetentionPolicy): Removed;
}

/** The write path of check results: queued, committed in batches. */
export interface ResultWriter {
  /** Queues a raw result. */
  addResult(result: CheckResult): void;
  /** Queues the time since the target's previous observation, attributed to that observation's status. */
  observe(observation: Observation): void;
  /** Commits everything queued. */
  flush(): void;
}

/** Time-weighted availability and raw results, read from the rollups. */
export interface UptimeRepository extends Retained {
  /** Availability, latency percentiles and no-data time over [from, to). */
  availability(targetId: string, from: number, to: number): Availability;
  /** Availability of every target over [from, to) (for the metrics); targets without observed time are left out. */
  availabilityOfAll(from: number, to: number): Map<string, number>;
  /** One bar per UTC day for the last `days` days ending at `to`. */
  dailyBars(targetId: string, to: number, days: number): DailyBar[];
  /** Per target, day start → time per state, for the last `days` days ending at `to`. */
  dayRollups(to: number, days: number): Map<string, Map<number, DayTotals>>;
  /** Raw results of a target, newest first. */
  results(targetId: string, limit?: number): StoredResult[];
}

/** Hourly latency histograms (the status page's response-time charts). */
export interface LatencyRepository {
  /** Per target, hour start → bucket counts, for the hours in [from, to). */
  hourLatency(from: number, to: number): Map<string, Map<number, number[]>>;
}

export interface IncidentQuery {
  targetId?: string;
  /** Incidents still open or ended at or after this time. */
  since?: number;
  limit?: number;
  openOnly?: boolean;
}

export interface IncidentRepository extends Retained {
  open(incident: Omit<Incident, "id" | "endedAt" | "maintenance"> & { maintenance?: boolean }): number;
  update(id: number, fields: { rootCause?: string; affected?: string[]; endedAt?: number }): void;
  /** Newest first. */
  list(query?: IncidentQuery): Incident[];
}

export interface FailoverRepository extends Retained {
  record(failover: Failover): void;
  /** Newest first. */
  list(targetId?: string, limit?: number): Failover[];
}

export interface AlertHistoryRepository extends Retained {
  /** Inserts or updates alerts by (fingerprint, start): a resolved notification closes the firing row. */
  upsert(alerts: readonly AlertRecord[], now: number): void;
  /** Most recently updated first. */
  list(options?: { firingOnly?: boolean; limit?: number }): AlertRecord[];
}

export interface MaintenanceRepository extends Retained {
  insert(window: Omit<MaintenanceWindow, "id" | "endedEarly" | "silenceIds">): number;
  setSilences(id: number, silenceIds: readonly string[]): void;
  get(id: number): MaintenanceWindow | undefined;
  /** Windows in a state at `now`: newest start first for past ones and "all", soonest first otherwise. */
  list(state: WindowState | "all", now: number, limit: number): MaintenanceWindow[];
  /** Windows ending at or after `since`, by start. */
  endingSince(since: number): MaintenanceWindow[];
  /** Ends a window active at `now`; false when it was not active. */
  endEarly(id: number, now: number): boolean;
  delete(id: number): boolean;
}

export interface SyntheticRunRepository extends Retained {
  /** Stores a run (already scrubbed of secrets by the runner). */
  add(run: RunResult): void;
  /** The flow's latest runs, newest first. */
  runs(flow: string, limit: number): RunResult[];
}

/** Every repository over one database, with its lifecycle. */
export interface Storage {
  readonly writer: ResultWriter;
  readonly uptime: UptimeRepository;
  readonly latency: LatencyRepository;
  readonly incidents: IncidentRepository;
  readonly failovers: FailoverRepository;
  readonly alerts: AlertHistoryRepository;
  readonly maintenance: MaintenanceRepository;
  readonly syntheticRuns: SyntheticRunRepository;
  /** Every repository's retention; rows removed per table. */
  applyRetention(now: number, policy: RetentionPolicy): Removed;
  /** Commits what is queued; throws when the database cannot be written. */
  flush(): void;
  close(): void;
}
