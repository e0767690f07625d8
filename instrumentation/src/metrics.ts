/**
 * The Prometheus metrics every Lookout-instrumented service exposes. Names, help, labels and buckets come from the
 * contract (instrumentation/contract.json; docs/instrumentation.md has them as a table), which the Python library
 * loads too.
 *
 * `route` is always the route template (`/v1/workflows/:id`), `unmatched` for a request no route took — never the raw
 * path, whose IDs would make one series per request. Labels never hold user data. Node's default metrics are
 * included too, minus three gauges prom-client names *_total (promtool flags them: `_total` is for counters).
 */
import { collectDefaultMetrics, Gauge, type GaugeConfiguration, Registry } from "prom-client";
import { CONTRACT, metricSpec } from "./contract.js";
import { asMetric, LabelledCounter, LabelledHistogram } from "./series.js";

/** What the pool gauges read: pg.Pool has exactly these. */
export interface PoolLike {
  readonly totalCount: number;
  readonly idleCount: number;
}

/** What the Redis gauge reads: ioredis and node-redis clients both expose a status/isReady. */
export interface RedisClientLike {
  readonly status?: string;
  readonly isReady?: boolean;
}

const HTTP_METHODS = new Set((CONTRACT.labelValues.method ?? []).filter((m) => m !== "OTHER"));

/** Bounded method label: anything unusual is "OTHER" (a client choosing methods must not create series). */
export function methodLabel(method: string | undefined): string {
  const upper = (method ?? "").toUpperCase();
  return HTTP_METHODS.has(upper) ? upper : "OTHER";
}

export interface MetricsOptions {
  /** Include Node's default process and runtime metrics (default true). */
  defaultMetrics?: boolean;
  /**
   * How often the event-loop delay histogram (nodejs_eventloop_lag_*) samples, in milliseconds; default 100.
   * prom-client's own default, 10 ms, wakes the process 100 times a second whether it serves anything or not:
   * 2.5 ms of CPU a second, a tenth of what RelayCore spends serving 40 requests a second (bench/instrumentation.ts).
   * At 100 ms the histogram still takes 150 samples between two 15 s scrapes.
   */
  eventLoopSampleMs?: number;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  // The metrics updated on every request or AI call: LabelledCounter/LabelledHistogram (series.ts), which keep each
  // label set instead of checking and hashing it on every update; the rest are prom-client's own.
  readonly httpRequests: LabelledCounter<"method" | "route" | "status_code">;
  readonly httpDuration: LabelledHistogram<"method" | "route" | "status_code">;
  readonly httpInFlight: Gauge<"method">;
  readonly aiRequests: LabelledCounter<"model" | "provider" | "outcome">;
  readonly aiCost: LabelledHistogram<"model" | "provider">;
  readonly aiModelSelections: LabelledCounter<"model" | "provider" | "reason">;
  readonly aiResponseTokens: LabelledHistogram<"model" | "provider">;
  /** ai_budget_dollars and ai_budget_spent_dollars, by period: set by the service that owns the budget. */
  readonly aiBudget: Gauge<"period">;
  readonly aiBudgetSpent: Gauge<"period">;
  readonly workflowExecutions: LabelledCounter<"workflow" | "status">;
  readonly modelDeployments: LabelledCounter<"model" | "status">;
  readonly userSessionsActive: Gauge;
  private readonly inFlight = new Map<string, number>();
  private readonly pools: PoolLike[] = [];
  private readonly redisClients: RedisClientLike[] = [];

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const spec = <L extends string>(name: string) => {
      const { help, labels, buckets } = metricSpec(name);
      return { name, help, labelNames: labels as L[], registers, ...(buckets ? { buckets } : {}) };
    };
    const counter = <L extends string>(name: string) => {
      const metric = new LabelledCounter<L>(spec<L>(name));
      this.registry.registerMetric(asMetric(metric));
      return metric;
    };
    const histogram = <L extends string>(name: string) => {
      const { buckets, ...rest } = spec<L>(name);
      if (!buckets) throw new Error(`the contract gives ${name} no buckets`);
      const metric = new LabelledHistogram<L>({ ...rest, buckets });
      this.registry.registerMetric(asMetric(metric));
      return metric;
    };
    this.httpRequests = counter("http_requests_total");
    // 5 ms to 60 s (the contract's buckets): the services' answers range from cached reads to multi-step AI workflows,
    // whose normal tail reaches past 10 s; without buckets there, every slow request reads as "10 s" and p99 cannot be
    // told apart from a latency incident (the latency alerts compare p99 with 10–20 s: alerts/rules/slo-targets.yml).
    this.httpDuration = histogram("http_request_duration_seconds");
    // Requests in flight are counted in a plain map and read into the gauge at scrape time: two label-set updates
    // fewer on every request (bench/instrumentation.ts measures the metrics' cost per request).
    const inFlight = this.inFlight;
    this.httpInFlight = new Gauge<"method">({
      ...spec<"method">("http_requests_in_flight"),
      collect() {
        for (const [method, n] of inFlight) this.set({ method }, n);
      },
    });
    this.aiRequests = counter("ai_requests_total");
    this.aiCost = histogram("ai_request_cost_dollars");
    this.aiModelSelections = counter("ai_model_selection_total");
    this.aiResponseTokens = histogram("ai_response_tokens");
    this.aiBudget = new Gauge(spec("ai_budget_dollars"));
    this.aiBudgetSpent = new Gauge(spec("ai_budget_spent_dollars"));
    this.workflowExecutions = counter("workflow_executions_total");
    this.modelDeployments = counter("model_deployments_total");
    this.userSessionsActive = new Gauge(spec("user_sessions_active"));
    const collected = <L extends string>(name: string, collect: GaugeConfiguration<L>["collect"]) =>
      new Gauge<L>({ ...spec<L>(name), collect });
    let lastCpu = process.cpuUsage();
    let lastAt = process.hrtime.bigint();
    collected("process_cpu_usage", function () {
      const cpu = process.cpuUsage();
      const at = process.hrtime.bigint();
      const elapsedMicros = Number(at - lastAt) / 1000;
      const usedMicros = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
      lastCpu = cpu;
      lastAt = at;
      this.set(elapsedMicros > 0 ? Math.round((usedMicros / elapsedMicros) * 10_000) / 10_000 : 0);
    });
    collected<"type">("process_memory_usage", function () {
      const m = process.memoryUsage();
      this.set({ type: "rss" }, m.rss);
      this.set({ type: "heap_used" }, m.heapUsed);
      this.set({ type: "heap_total" }, m.heapTotal);
      this.set({ type: "external" }, m.external);
    });
    const pools = this.pools;
    collected("database_connections_active", function () {
      this.set(pools.reduce((sum, p) => sum + Math.max(0, p.totalCount - p.idleCount), 0));
    });
    const redisClients = this.redisClients;
    collected("redis_connections_active", function () {
      this.set(redisClients.filter((c) => c.status === "ready" || c.isReady === true).length);
    });
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({
        register: this.registry,
        eventLoopMonitoringPrecision: options.eventLoopSampleMs ?? 100,
      });
      for (const gauge of [
        "nodejs_active_handles_total",
        "nodejs_active_requests_total",
        "nodejs_active_resources_total",
      ]) {
        this.registry.removeSingleMetric(gauge);
      }
    }
  }

  /** A request (its method already bounded by methodLabel) started: http_requests_in_flight. */
  requestStarted(method: string): void {
    this.inFlight.set(method, (this.inFlight.get(method) ?? 0) + 1);
  }

  /** A request started with requestStarted() finished, answered or abandoned. */
  requestFinished(method: string): void {
    this.inFlight.set(method, (this.inFlight.get(method) ?? 1) - 1);
  }

  /** Counts this pool's checked-out connections in database_connections_active. */
  trackDatabasePool(pool: PoolLike): void {
    this.pools.push(pool);
  }

  /** Counts this client in redis_connections_active while it is ready. */
  trackRedisClient(client: RedisClientLike): void {
    this.redisClients.push(client);
  }

  /** The text exposition format and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
