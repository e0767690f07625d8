/**
 * The aggregator's composition root: config → storage (store/storage.ts) → engine (scheduler, checks, state) →
 * metrics, the maintenance calendar, the synthetic flows, the admin API's credentials, and the read models the HTTP
 * interface serves (read-models/). `new Aggregator()` is what server.ts runs and what tests build with an in-memory
 * database and a test clock; app.ts hands each route module the parts it uses.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Tracer } from "@opentelemetry/api";
import { type Logger, pino } from "pino";
import type { Agent } from "undici";
import { BUILTIN_FLOWS, createTracing, type TraceOptions } from "../../synthetics/index.js";
import { type AdminParts, adminParts } from "./admin/credentials.js";
import { createHttpPool } from "./checks/http.js";
import type { CheckResult, Status } from "./checks/types.js";
import type { AggregatorConfig, TargetConfig } from "./config/load.js";
import { Engine } from "./engine/engine.js";
import { type Clock, systemClock } from "./engine/scheduler.js";
import { MaintenanceCalendar } from "./maintenance/calendar.js";
import { AggregatorMetrics } from "./metrics.js";
import { ReadCache } from "./read-models/cache.js";
import { HistoryReadModel } from "./read-models/history.js";
import { statusModel } from "./read-models/status.js";
import { StatusPageReadModel } from "./read-models/status-page.js";
import { syntheticsPageModel } from "./read-models/synthetics-page.js";
import { renderStatusPage } from "./status-page/render.js";
import { SqliteStorage } from "./store/storage.js";
import type { Storage } from "./store/types.js";
import { type CronScheduler, SyntheticsService } from "./synthetics/service.js";

export interface AggregatorOptions {
  config: AggregatorConfig;
  /** Directory for uptime.db, or ":memory:". */
  dataDir: string;
  logger?: Logger;
  clock?: Clock;
  concurrency?: number;
  check?: (target: TargetConfig, instance: string) => Promise<CheckResult>;
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

export class Aggregator {
  readonly store: Storage;
  readonly metrics = new AggregatorMetrics();
  readonly engine: Engine;
  readonly clock: Clock;
  readonly pool: Agent;
  /** The synthetic flows: schedules, runs on demand, run history (synthetics/service.ts). */
  readonly synthetics: SyntheticsService;
  readonly maintenance: MaintenanceCalendar;
  /** A target's history and the incident list (read-models/history.ts). */
  readonly history: HistoryReadModel;
  admin: AdminParts;
  /** cors.origins of the config in force: the origins whose pages may call the API. */
  corsOrigins: ReadonlySet<string>;
  private readonly statusPage: StatusPageReadModel;
  private readonly cache: ReadCache;
  private lastFlushMs = 0;
  /** public_status.details of the config in force. */
  private statusDetails: boolean;

  constructor(private readonly options: AggregatorOptions) {
    this.clock = options.clock ?? systemClock;
    const now = () => this.clock.now();
    const logger = options.logger ?? pino({ enabled: false });
    const path = options.dataDir === ":memory:" ? ":memory:" : join(options.dataDir, "uptime.db");
    if (path !== ":memory:") mkdirSync(options.dataDir, { recursive: true });
    const store = new SqliteStorage({ path });
    this.store = store;
    this.admin = adminParts(options.config, options.env ?? process.env);
    this.statusDetails = options.config.publicStatus?.details ?? false;
    this.corsOrigins = new Set(options.config.cors?.origins);
    this.maintenance = new MaintenanceCalendar(store.maintenance, now);
    this.pool = createHttpPool();
    this.engine = new Engine(options.config, {
      results: store.writer,
      uptime: store.uptime,
      incidents: store.incidents,
      failovers: store.failovers,
      retention: store,
      pool: this.pool,
      metrics: this.metrics,
      logger,
      clock: this.clock,
      concurrency: options.concurrency,
      check: options.check,
      maintenance: this.maintenance,
    });
    this.synthetics = new SyntheticsService({
      catalogue: BUILTIN_FLOWS,
      store: store.syntheticRuns,
      metrics: this.metrics.synthetics,
      logger,
      tracer: options.tracer ?? createTracing().tracer,
      clock: options.syntheticsClock ?? systemClock,
      scheduler: options.cronScheduler,
      env: options.env,
      traces: options.traces,
    });
    this.synthetics.apply(options.config.synthetics);
    this.metrics.observeMaintenance(() => {
      const at = now();
      return {
        targets: [...this.engine.states.keys()].map((id) => ({ id, active: this.maintenance.isActive(id, at) })),
        windowsActive: this.maintenance.active(at).length,
      };
    });
    this.cache = new ReadCache(now, options.readCacheMs ?? 1_000);
    this.history = new HistoryReadModel({
      uptime: store.uptime,
      incidents: store.incidents,
      known: (id) => this.engine.states.has(id),
      now,
    });
    this.statusPage = new StatusPageReadModel({
      states: this.engine.states,
      uptime: store.uptime,
      latency: store.latency,
      incidents: store.incidents,
      alerts: store.alerts,
      maintenance: this.maintenance,
      synthetics: () => syntheticsPageModel(this.synthetics),
      title: options.title ?? "Service status",
      now,
    });
  }

  /** The /api/v1/status body, serialised; served from memory for readCacheMs. */
  statusJson(): string {
    return this.cache.get("status", () =>
      JSON.stringify(
        statusModel({ states: this.engine.states, details: () => this.statusDetails, now: () => this.clock.now() }),
      ),
    );
  }

  /** The /status page, rendered; served from memory for readCacheMs. */
  statusPageHtml(): string {
    return this.cache.get("status-page", () => renderStatusPage(this.statusPage.model()));
  }

  /** A maintenance window was created, ended or deleted: the status page and status JSON must show it now. */
  maintenanceChanged(): void {
    this.cache.clear();
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
    // What was built from the previous config is stale.
    this.cache.clear();
    this.statusPage.invalidate();
  }

  async close(): Promise<void> {
    await this.synthetics.close();
    await this.engine.stop();
    this.store.close();
    await this.pool.close();
  }

  /** The aggregator's own state for /health: unhealthy if its database cannot be written. */
  selfHealth(): { status: Status; dependencies: Record<string, { status: Status; responseTime: number }> } {
    let status: Status = "healthy";
    try {
      const started = performance.now();
      this.store.flush();
      this.lastFlushMs = performance.now() - started;
    } catch {
      status = "unhealthy";
    }
    return {
      status,
      dependencies: { database: { status, responseTime: Math.round(this.lastFlushMs * 100) / 100 } },
    };
  }
}
