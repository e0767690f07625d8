/**
 * The aggregator assembled: config → engine (scheduler, checks, state) → store → metrics, plus the read models the
 * HTTP interface serves. `new Aggregator()` is what server.ts runs and what tests build with an in-memory database
 * and a test clock.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Logger, pino } from "pino";
import type { Agent } from "undici";
import { AlertmanagerClient } from "./admin/alertmanager.js";
import { JwtVerifier } from "./admin/jwt.js";
import { createHttpPool } from "./checks/http.js";
import type { CheckResult, Status } from "./checks/types.js";
import type { AggregatorConfig, JwtConfig, TargetConfig } from "./config/load.js";
import { Engine } from "./engine/engine.js";
import { type Clock, systemClock } from "./engine/scheduler.js";
import { rootCause } from "./engine/state.js";
import { MaintenanceCalendar } from "./maintenance/calendar.js";
import { AggregatorMetrics } from "./metrics.js";
import type { Tracer } from "@opentelemetry/api";
import { BUILTIN_FLOWS, createTracing, type TraceOptions } from "../../synthetics/index.js";
import { type CronScheduler, SyntheticsService } from "./synthetics/service.js";
import { syntheticsPageModel } from "./synthetics/render.js";
import type { MaintenanceNotice, StatusPageModel } from "./status-page/render.js";
import type { LatencyPoint } from "./status-page/response-chart.js";
import { addHistogram, emptyHistogram } from "./store/histogram.js";
import { SqliteStorage } from "./store/storage.js";
import type { AlertRecord, DayTotals, Incident, Storage } from "./store/types.js";

export interface AggregatorOptions {
  config: AggregatorConfig;
  /** Directory for uptime.db, or ":memory:". */
  dataDir: string;
  logger?: Logger;
  clock?: Clock;
  concurrency?: number;
  check?: (target: TargetConfig, instance: string) => Promise<CheckResult>;
  /** Public base URL of Jaeger for trace links on the status page (omitted: no links). */
  jaegerUrl?: string;
  title?: string;
  /**
   * How long the status JSON and the status page may be served from memory (ms; default 1000). With thousands of
   * targets they take milliseconds to build, and a second of staleness is invisible next to a 15 s check interval.
   */
  readCacheMs?: number;
  /** Tracer for synthetic runs (default: ids only, nothing exported; server.ts exports to the gateway). */
  tracer?: Tracer;
  /** Where synthetic runs read their trace for the flows' trace assertions (default none: not evaluated). */
  traces?: TraceOptions;
  /** Cron scheduler for synthetic flows (default node-cron); tests fire ticks by hand. */
  cronScheduler?: CronScheduler;
  /** Clock for synthetic runs' timeouts and backoff (default the wall clock, whatever the checks' clock). */
  syntheticsClock?: Clock;
  /** Where flows read their secrets and admin.jwt.hs256_secret_env is looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The admin API's collaborators, rebuilt from config at start and on every reload. */
export interface AdminParts {
  jwtConfig: JwtConfig | undefined;
  verifier: JwtVerifier | undefined;
  alertmanager: AlertmanagerClient | undefined;
}

function adminParts(config: AggregatorConfig, env: NodeJS.ProcessEnv): AdminParts {
  const { jwt, alertmanager } = config.admin;
  return {
    jwtConfig: jwt,
    // Reads the HS256 secret now, so a missing or short secret fails the start or the reload, not a request.
    verifier: jwt ? new JwtVerifier(jwt, env) : undefined,
    alertmanager: alertmanager
      ? new AlertmanagerClient(alertmanager.url, alertmanager.timeoutMs, alertmanager.headers)
      : undefined,
  };
}

interface PastDays {
  today: number;
  generation: number;
  systems: Map<string, DayTotals[]>;
  targets30d: Map<string, { up: number; observed: number }>;
}

const emptyTotals = (): DayTotals => ({ up: 0, degraded: 0, down: 0, maintenance: 0 });

function addTotals(into: DayTotals, add: DayTotals): void {
  into.up += add.up;
  into.degraded += add.degraded;
  into.down += add.down;
  into.maintenance += add.maintenance;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function incidentView(i: Incident) {
  return { ...i, startedAt: iso(i.startedAt)!, endedAt: iso(i.endedAt) };
}

/** An alert as Alertmanager's webhook sends it (the fields Lookout reads). */
export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint?: string;
}

export class Aggregator {
  readonly store: Storage;
  readonly metrics = new AggregatorMetrics();
  readonly engine: Engine;
  readonly clock: Clock;
  readonly pool: Agent;
  /** The synthetic flows: schedules, runs on demand, run history (synthetics/service.ts). */
  readonly synthetics: SyntheticsService;
  readonly maintenance: MaintenanceCalendar;
  admin: AdminParts;
  /** cors.origins of the config in force: the origins whose pages may call the API. */
  corsOrigins: ReadonlySet<string>;
  private lastFlushMs = 0;
  /** public_status.details of the config in force. */
  private statusDetails: boolean;
  /** Bumped by every reload: cached read models built from the previous config are stale. */
  private generation = 0;
  private pastCache: PastDays | undefined;
  /** Per system, the latency histograms of the 23 finished hours before the current one; rebuilt once an hour. */
  private pastHoursCache: { hour: number; generation: number; systems: Map<string, LatencyPoint[]> } | undefined;
  private readonly readCache = new Map<string, { at: number; generation: number; value: string }>();

  /** Serves a built read model from memory for readCacheMs; rebuilt after that, or after a reload. */
  cachedRead(key: string, build: () => string): string {
    const ttl = this.options.readCacheMs ?? 1_000;
    const now = this.clock.now();
    const hit = this.readCache.get(key);
    if (ttl > 0 && hit && hit.generation === this.generation && now - hit.at < ttl) return hit.value;
    const value = build();
    this.readCache.set(key, { at: now, generation: this.generation, value });
    return value;
  }

  constructor(private readonly options: AggregatorOptions) {
    this.clock = options.clock ?? systemClock;
    const path = options.dataDir === ":memory:" ? ":memory:" : join(options.dataDir, "uptime.db");
    if (path !== ":memory:") mkdirSync(options.dataDir, { recursive: true });
    this.store = new SqliteStorage({ path });
    this.admin = adminParts(options.config, options.env ?? process.env);
    this.statusDetails = options.config.publicStatus?.details ?? false;
    this.corsOrigins = new Set(options.config.cors?.origins);
    this.maintenance = new MaintenanceCalendar(this.store.maintenance, () => this.clock.now());
    this.pool = createHttpPool();
    this.engine = new Engine(options.config, {
      results: this.store.writer,
      uptime: this.store.uptime,
      incidents: this.store.incidents,
      failovers: this.store.failovers,
      retention: this.store,
      pool: this.pool,
      metrics: this.metrics,
      logger: options.logger ?? pino({ enabled: false }),
      clock: this.clock,
      concurrency: options.concurrency,
      check: options.check,
      maintenance: this.maintenance,
    });
    this.synthetics = new SyntheticsService({
      catalogue: BUILTIN_FLOWS,
      store: this.store.syntheticRuns,
      metrics: this.metrics.synthetics,
      logger: options.logger ?? pino({ enabled: false }),
      tracer: options.tracer ?? createTracing().tracer,
      clock: options.syntheticsClock ?? systemClock,
      scheduler: options.cronScheduler,
      env: options.env,
      traces: options.traces,
    });
    this.synthetics.apply(options.config.synthetics);
    this.metrics.observeMaintenance(() => {
      const now = this.clock.now();
      return {
        targets: [...this.engine.states.keys()].map((id) => ({ id, active: this.maintenance.isActive(id, now) })),
        windowsActive: this.maintenance.active(now).length,
      };
    });
  }

  /** A maintenance window was created, ended or deleted: the status page and status JSON must show it now. */
  maintenanceChanged(): void {
    this.readCache.clear();
  }

  start(): void {
    this.engine.start();
    this.synthetics.start();
  }

  reload(config: AggregatorConfig): void {
    // Built first: an unreadable secret refuses the whole reload and the running config stays in force.
    const admin = adminParts(config, this.options.env ?? process.env);
    this.engine.apply(config);
    this.synthetics.apply(config.synthetics);
    this.admin = admin;
    this.statusDetails = config.publicStatus?.details ?? false;
    this.corsOrigins = new Set(config.cors?.origins);
    this.generation++;
  }

  async close(): Promise<void> {
    await this.synthetics.close();
    await this.engine.stop();
    this.store.close();
    await this.pool.close();
  }

  /** The aggregator's own status: unhealthy if its database cannot be written. */
  selfStatus(): Status {
    try {
      const started = performance.now();
      this.store.flush();
      this.lastFlushMs = performance.now() - started;
      return "healthy";
    } catch {
      return "unhealthy";
    }
  }

  selfDependencies(): Record<string, { status: Status; responseTime: number }> {
    return { database: { status: "healthy", responseTime: Math.round(this.lastFlushMs * 100) / 100 } };
  }

  /**
   * The unauthenticated /api/v1/status. Unless public_status.details allows more, only public targets, and no check
   * error text: an error names what was called (an internal address, a connection error), which is not for everyone.
   */
  status() {
    const details = this.statusDetails;
    const shown = [...this.engine.states.values()].filter((state) => details || state.config.public);
    const targets = shown.map((state) => {
      const status = state.confirmed ?? "unknown";
      const entry: Record<string, unknown> = {
        id: state.config.id,
        name: state.config.name,
        system: state.config.system,
        status,
        since: iso(state.since),
        lastCheckAt: iso(state.lastResult?.at),
        latencyMs: state.lastResult ? Math.round(state.lastResult.durationMs * 10) / 10 : null,
        dependsOn: state.config.dependsOn,
        labels: state.config.labels,
        instances: state.config.instances.map((i) => {
          const r = state.instances.get(i.name);
          return {
            name: i.name,
            role: i.role,
            status: r?.status ?? "unknown",
            latencyMs: r ? Math.round(r.durationMs * 10) / 10 : null,
            ...(r?.error && details ? { error: r.error } : {}),
            ...(r?.dependencies ? { dependencies: r.dependencies } : {}),
          };
        }),
      };
      if (details && state.lastResult?.error && status !== "healthy") entry.error = state.lastResult.error;
      if (status === "unhealthy") entry.rootCause = rootCause(state.config.id, this.engine.states);
      if (state.serving) entry.serving = state.serving;
      return entry;
    });
    return { generatedAt: new Date(this.clock.now()).toISOString(), targets };
  }

  history(targetId: string, window: string, spanMs: number) {
    if (!this.engine.states.has(targetId)) return undefined;
    const to = this.clock.now();
    const from = to - spanMs;
    const a = this.store.uptime.availability(targetId, from, to);
    return {
      targetId,
      window,
      from: iso(from)!,
      to: iso(to)!,
      availability: a.availability,
      upSeconds: a.upMs / 1000,
      degradedSeconds: a.degradedMs / 1000,
      downSeconds: a.downMs / 1000,
      maintenanceSeconds: a.maintenanceMs / 1000,
      noDataSeconds: a.noDataMs / 1000,
      latency: a.latency,
      incidents: this.store.incidents.list({ targetId, since: from, limit: 100 }).map(incidentView),
    };
  }

  incidents(options: { openOnly: boolean; limit: number }) {
    return this.store.incidents.list(options).map(incidentView);
  }

  /**
   * Keeps alert history from Alertmanager notifications. Only the alert name, severity, service and the summary
   * annotation are kept (the rules write those without PII); other labels and annotations are dropped.
   */
  recordAlerts(alerts: WebhookAlert[]): void {
    const now = this.clock.now();
    const records: AlertRecord[] = alerts.map((a) => {
      const startsAt = Date.parse(a.startsAt);
      const endsAt = a.endsAt ? Date.parse(a.endsAt) : NaN;
      return {
        // Alertmanager sends a fingerprint; without one, the label set identifies the alert.
        fingerprint:
          a.fingerprint ??
          createHash("sha256")
            .update(JSON.stringify(Object.entries(a.labels).sort()))
            .digest("hex")
            .slice(0, 16),
        startsAt,
        // Alertmanager sends 0001-01-01 for "not ended".
        endsAt: a.status === "resolved" && Number.isFinite(endsAt) && endsAt > 0 ? endsAt : null,
        status: a.status,
        alertname: a.labels.alertname ?? "unknown",
        severity: a.labels.severity ?? "none",
        service: a.labels.service ?? null,
        summary: (a.annotations?.summary ?? "").slice(0, 300),
      };
    });
    this.store.alerts.upsert(records, now);
    for (const a of alerts) this.metrics.alertsReceived.inc({ status: a.status });
  }

  alerts(options: { firingOnly: boolean; limit: number }) {
    return this.store.alerts.list(options).map((a) => ({ ...a, startsAt: iso(a.startsAt)!, endsAt: iso(a.endsAt) }));
  }

  /**
   * The status page's model: per system, 90 daily bars summed over its public targets (observed time weighted) and a
   * row per target with its state and 30-day availability. Finished days cannot change, so their sums are computed
   * once per UTC day (and after a reload); each request reads only today's rollups — the page costs about the same
   * with five targets or thousands.
   */
  statusPageModel(): StatusPageModel {
    const now = this.clock.now();
    const DAY = 86_400_000;
    const days = 90;
    const today = Math.floor(now / DAY) * DAY;
    const publicTargets = [...this.engine.states.values()].filter((s) => s.config.public);
    const past = this.pastDays(today, days);
    const current = this.store.uptime.dayRollups(now, 1);
    const systems = new Map<string, StatusPageModel["systems"][number]>();
    const todayBySystem = new Map<string, DayTotals>();
    for (const state of publicTargets) {
      const name = state.config.system;
      let system = systems.get(name);
      if (!system) {
        system = { name, bars: [], targets: [] };
        systems.set(name, system);
        todayBySystem.set(name, { up: 0, degraded: 0, down: 0, maintenance: 0 });
      }
      const t = current.get(state.config.id)?.get(today);
      const sums = todayBySystem.get(name)!;
      if (t) addTotals(sums, t);
      const before = past.targets30d.get(state.config.id) ?? { up: 0, observed: 0 };
      const up30 = before.up + (t ? t.up + t.degraded : 0);
      const observed30 = before.observed + (t ? t.up + t.degraded + t.down : 0);
      system.targets.push({
        id: state.config.id,
        name: state.config.name,
        status: state.confirmed ?? "unknown",
        since: state.since ?? null,
        latencyMs: state.lastResult?.durationMs ?? null,
        availability30d: observed30 > 0 ? up30 / observed30 : null,
        maintenance: this.maintenance.isActive(state.config.id, now),
      });
    }
    const latency = this.latencyBySystem(now, publicTargets);
    const notices = this.maintenanceBySystem(now, publicTargets);
    for (const [name, system] of systems) {
      system.latency = latency.get(name) ?? [];
      system.maintenance = notices.get(name) ?? [];
    }
    for (const [name, system] of systems) {
      const history = past.systems.get(name) ?? [];
      const totals = [
        ...Array.from({ length: days - 1 }, (_, i) => history[i] ?? emptyTotals()),
        todayBySystem.get(name)!,
      ];
      system.bars = totals.map((t, i) => {
        const observed = t.up + t.degraded + t.down;
        return {
          day: new Date(today - (days - 1 - i) * DAY).toISOString().slice(0, 10),
          availability: observed > 0 ? (t.up + t.degraded) / observed : null,
          downMs: t.down / Math.max(1, system.targets.length),
          noDataMs: 0,
        };
      });
    }
    const names = new Map(publicTargets.map((s) => [s.config.id, s.config.name]));
    const visible = (i: Incident) => names.has(i.targetId);
    return {
      title: this.options.title ?? "Service status",
      generatedAt: now,
      systems: [...systems.values()],
      openIncidents: this.store.incidents.list({ openOnly: true, limit: 50 }).filter(visible),
      recentIncidents: this.store.incidents
        .list({ since: now - 14 * DAY, limit: 20 })
        .filter((i) => visible(i) && i.endedAt !== null),
      targetNames: names,
      // Watchdog-style alerts (severity none) prove the pipeline works; they are not news for the public.
      activeAlerts: this.store.alerts.list({ firingOnly: true, limit: 20 }).filter((a) => a.severity !== "none"),
      synthetics: syntheticsPageModel(this.synthetics),
    };
  }

  /** Active and upcoming maintenance per system, naming only the system's public targets (from memory). */
  private maintenanceBySystem(
    now: number,
    publicTargets: { config: TargetConfig }[],
  ): Map<string, MaintenanceNotice[]> {
    const byId = new Map(publicTargets.map((s) => [s.config.id, s.config]));
    const out = new Map<string, MaintenanceNotice[]>();
    for (const w of [...this.maintenance.active(now), ...this.maintenance.upcoming(now)]) {
      const bySystem = new Map<string, string[]>();
      for (const id of w.targets) {
        const target = byId.get(id);
        if (target) bySystem.set(target.system, [...(bySystem.get(target.system) ?? []), target.name]);
      }
      for (const [system, targets] of bySystem) {
        const notice: MaintenanceNotice = {
          state: w.start <= now ? "active" : "upcoming",
          start: w.start,
          end: w.end,
          reason: w.reason,
          targets,
        };
        out.set(system, [...(out.get(system) ?? []), notice]);
      }
    }
    return out;
  }

  /**
   * The last 24 hours of latency per system (hour rollups of its public targets, summed). Finished hours are read
   * once an hour; each request reads only the current hour's rows.
   */
  private latencyBySystem(now: number, publicTargets: { config: TargetConfig }[]): Map<string, LatencyPoint[]> {
    const HOUR = 3_600_000;
    const hours = 24;
    const current = Math.floor(now / HOUR) * HOUR;
    const bucketCount = emptyHistogram;
    const add = addHistogram;
    if (
      !this.pastHoursCache ||
      this.pastHoursCache.hour !== current ||
      this.pastHoursCache.generation !== this.generation
    ) {
      const rows = this.store.latency.hourLatency(current - (hours - 1) * HOUR, current);
      const systems = new Map<string, LatencyPoint[]>();
      for (const { config } of publicTargets) {
        let points = systems.get(config.system);
        if (!points) {
          points = Array.from({ length: hours - 1 }, (_, i) => ({
            hour: current - (hours - 1 - i) * HOUR,
            histogram: bucketCount(),
          }));
          systems.set(config.system, points);
        }
        const perHour = rows.get(config.id);
        if (perHour) for (const p of points) add(p.histogram, perHour.get(p.hour) ?? []);
      }
      this.pastHoursCache = { hour: current, generation: this.generation, systems };
    }
    const live = this.store.latency.hourLatency(current, now + 1);
    const out = new Map<string, LatencyPoint[]>();
    for (const { config } of publicTargets) {
      let points = out.get(config.system);
      if (!points) {
        points = [
          ...(this.pastHoursCache.systems.get(config.system) ?? []),
          { hour: current, histogram: bucketCount() },
        ];
        out.set(config.system, points);
      }
      add(points[points.length - 1]!.histogram, live.get(config.id)?.get(current) ?? []);
    }
    return out;
  }

  /** Per-system totals of the days before today, and per-target sums of the 29 days before today; cached per day. */
  private pastDays(today: number, days: number): PastDays {
    if (this.pastCache && this.pastCache.today === today && this.pastCache.generation === this.generation)
      return this.pastCache;
    const DAY = 86_400_000;
    const rollups = this.store.uptime.dayRollups(today - 1, days - 1);
    const systems = new Map<string, DayTotals[]>();
    const targets30d = new Map<string, { up: number; observed: number }>();
    for (const state of this.engine.states.values()) {
      if (!state.config.public) continue;
      const perDay = rollups.get(state.config.id);
      let totals = systems.get(state.config.system);
      if (!totals) {
        totals = Array.from({ length: days - 1 }, () => emptyTotals());
        systems.set(state.config.system, totals);
      }
      const sums = { up: 0, observed: 0 };
      for (let i = 0; i < days - 1; i++) {
        const day = today - (days - 1 - i) * DAY;
        const r = perDay?.get(day);
        if (!r) continue;
        addTotals(totals[i]!, r);
        if (i >= days - 30) {
          sums.up += r.up + r.degraded;
          sums.observed += r.up + r.degraded + r.down;
        }
      }
      targets30d.set(state.config.id, sums);
    }
    this.pastCache = { today, generation: this.generation, systems, targets30d };
    return this.pastCache;
  }
}
