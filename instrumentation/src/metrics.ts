/**
 * The Prometheus metrics every Lookout-instrumented service exposes, with exactly the names of DESIGN.md's contract:
 *
 * | name | type | labels | unit / meaning |
 * |---|---|---|---|
 * | http_requests_total | counter | method, route, status_code | requests answered |
 * | http_request_duration_seconds | histogram | method, route, status_code | seconds from request to response end |
 * | http_requests_in_flight | gauge | method | requests being handled now |
 * | ai_requests_total | counter | model, provider, outcome | AI calls (outcome: success, error, timeout, rejected) |
 * | ai_request_cost_dollars | histogram | model, provider | USD per AI call (its _sum is the spend) |
 * | ai_model_selection_total | counter | model, provider, reason | routing decisions and why |
 * | ai_response_tokens | histogram | model, provider | output tokens per AI response |
 * | process_cpu_usage | gauge | — | CPU used since the previous scrape, in cores (1 = one core busy) |
 * | process_memory_usage | gauge | type (rss, heap_used, heap_total, external) | bytes |
 * | database_connections_active | gauge | — | pool connections checked out by a query right now |
 * | redis_connections_active | gauge | — | Redis connections in the ready state |
 * | workflow_executions_total | counter | workflow, status | workflow runs (status: success, failure) |
 * | model_deployments_total | counter | model, status | deployments (status: success, failure) |
 * | user_sessions_active | gauge | — | sessions currently valid |
 *
 * `route` is always the route template (`/v1/workflows/:id`), `unmatched` for a request no route took — never the raw
 * path, whose IDs would make one series per request. Labels never hold user data. Node's default metrics are
 * included too, minus three gauges prom-client names *_total (promtool flags them: `_total` is for counters).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

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

const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Bounded method label: anything unusual is "OTHER" (a client choosing methods must not create series). */
export function methodLabel(method: string | undefined): string {
  const upper = (method ?? "").toUpperCase();
  return HTTP_METHODS.has(upper) ? upper : "OTHER";
}

export interface MetricsOptions {
  /** Include Node's default process and runtime metrics (default true). */
  defaultMetrics?: boolean;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<"method" | "route" | "status_code">;
  readonly httpDuration: Histogram<"method" | "route" | "status_code">;
  readonly httpInFlight: Gauge<"method">;
  readonly aiRequests: Counter<"model" | "provider" | "outcome">;
  readonly aiCost: Histogram<"model" | "provider">;
  readonly aiModelSelections: Counter<"model" | "provider" | "reason">;
  readonly aiResponseTokens: Histogram<"model" | "provider">;
  readonly workflowExecutions: Counter<"workflow" | "status">;
  readonly modelDeployments: Counter<"model" | "status">;
  readonly userSessionsActive: Gauge;
  private readonly pools: PoolLike[] = [];
  private readonly redisClients: RedisClientLike[] = [];

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by method, route template and status code.",
      labelNames: ["method", "route", "status_code"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "Time from receiving an HTTP request to the end of its response, in seconds.",
      labelNames: ["method", "route", "status_code"],
      // 5 ms to 60 s: the services' answers range from cached reads to multi-step AI workflows, whose normal tail
      // reaches past 10 s; without buckets there, every slow request reads as "10 s" and p99 cannot be told apart from a
      // latency incident (the latency alerts compare p99 with 10–20 s thresholds: alerts/rules/slo-targets.yml).
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 60],
      registers,
    });
    this.httpInFlight = new Gauge({
      name: "http_requests_in_flight",
      help: "HTTP requests being handled right now.",
      labelNames: ["method"],
      registers,
    });
    this.aiRequests = new Counter({
      name: "ai_requests_total",
      help: "AI model calls, by model, provider and outcome.",
      labelNames: ["model", "provider", "outcome"],
      registers,
    });
    this.aiCost = new Histogram({
      name: "ai_request_cost_dollars",
      help: "Cost of each AI model call in US dollars; the _sum series is the spend.",
      labelNames: ["model", "provider"],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.aiModelSelections = new Counter({
      name: "ai_model_selection_total",
      help: "Model routing decisions, by chosen model, provider and the reason it was chosen.",
      labelNames: ["model", "provider", "reason"],
      registers,
    });
    this.aiResponseTokens = new Histogram({
      name: "ai_response_tokens",
      help: "Output tokens per AI model response.",
      labelNames: ["model", "provider"],
      buckets: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
      registers,
    });
    this.workflowExecutions = new Counter({
      name: "workflow_executions_total",
      help: "Workflow executions, by workflow and final status.",
      labelNames: ["workflow", "status"],
      registers,
    });
    this.modelDeployments = new Counter({
      name: "model_deployments_total",
      help: "Model deployments, by model and final status.",
      labelNames: ["model", "status"],
      registers,
    });
    this.userSessionsActive = new Gauge({
      name: "user_sessions_active",
      help: "User sessions currently valid.",
      registers,
    });
    let lastCpu = process.cpuUsage();
    let lastAt = process.hrtime.bigint();
    new Gauge({
      name: "process_cpu_usage",
      help: "CPU time used by this process since the previous scrape, in cores (1 means one core fully busy).",
      registers,
      collect() {
        const cpu = process.cpuUsage();
        const at = process.hrtime.bigint();
        const elapsedMicros = Number(at - lastAt) / 1000;
        const usedMicros = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
        lastCpu = cpu;
        lastAt = at;
        this.set(elapsedMicros > 0 ? Math.round((usedMicros / elapsedMicros) * 10_000) / 10_000 : 0);
      },
    });
    new Gauge({
      name: "process_memory_usage",
      help: "Memory used by this process in bytes, by type (rss, heap_used, heap_total, external).",
      labelNames: ["type"],
      registers,
      collect() {
        const m = process.memoryUsage();
        this.set({ type: "rss" }, m.rss);
        this.set({ type: "heap_used" }, m.heapUsed);
        this.set({ type: "heap_total" }, m.heapTotal);
        this.set({ type: "external" }, m.external);
      },
    });
    const pools = this.pools;
    new Gauge({
      name: "database_connections_active",
      help: "Database pool connections checked out by a query right now.",
      registers,
      collect() {
        this.set(pools.reduce((sum, p) => sum + Math.max(0, p.totalCount - p.idleCount), 0));
      },
    });
    const redisClients = this.redisClients;
    new Gauge({
      name: "redis_connections_active",
      help: "Redis connections that are connected and ready.",
      registers,
      collect() {
        this.set(redisClients.filter((c) => c.status === "ready" || c.isReady === true).length);
      },
    });
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      for (const gauge of [
        "nodejs_active_handles_total",
        "nodejs_active_requests_total",
        "nodejs_active_resources_total",
      ]) {
        this.registry.removeSingleMetric(gauge);
      }
    }
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
