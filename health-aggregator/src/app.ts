/**
 * The health aggregator as a Fastify app. buildApp() builds everything, so tests run the same app through inject().
 * This is the foundation's minimal service — its own /health, /metrics and the Alertmanager webhook; the health
 * checks, uptime store and status page grow here.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Registry } from "prom-client";
import { pino } from "pino";
import { requireBearer } from "./auth.js";
import type { AggregatorSettings } from "./config.js";

export interface AppDeps {
  settings: AggregatorSettings;
  /** The process's pino logger; tests leave it out (silent). */
  logger?: FastifyBaseLogger;
  /** Clock seam for tests. */
  now?: () => Date;
}

/** The HealthCheckResponse contract of DESIGN.md. */
export interface HealthCheckResponse {
  status: "healthy" | "degraded" | "unhealthy";
  timestamp: string;
  uptime: number;
  version: string;
  dependencies: Record<string, { status: "healthy" | "degraded" | "unhealthy"; responseTime: number }>;
  metrics: { requestsPerMinute: number; errorRate: number; avgResponseTime: number };
}

const dependencyStatus = { type: "string", enum: ["healthy", "degraded", "unhealthy"] } as const;

const healthSchema = {
  type: "object",
  required: ["status", "timestamp", "uptime", "version", "dependencies", "metrics"],
  properties: {
    status: dependencyStatus,
    timestamp: { type: "string", format: "date-time" },
    uptime: { type: "number" },
    version: { type: "string" },
    dependencies: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["status", "responseTime"],
        properties: { status: dependencyStatus, responseTime: { type: "number" } },
      },
    },
    metrics: {
      type: "object",
      required: ["requestsPerMinute", "errorRate", "avgResponseTime"],
      properties: {
        requestsPerMinute: { type: "number" },
        errorRate: { type: "number" },
        avgResponseTime: { type: "number" },
      },
    },
  },
} as const;

const errorSchema = {
  type: "object",
  required: ["error", "message"],
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

/** One sliding minute of request outcomes, for the `metrics` block of /health. */
class RequestWindow {
  private samples: { at: number; ms: number; error: boolean }[] = [];
  constructor(private readonly now: () => number) {}
  record(ms: number, error: boolean): void {
    this.samples.push({ at: this.now(), ms, error });
    this.prune();
  }
  summary(): HealthCheckResponse["metrics"] {
    this.prune();
    const n = this.samples.length;
    if (n === 0) return { requestsPerMinute: 0, errorRate: 0, avgResponseTime: 0 };
    const errors = this.samples.filter((s) => s.error).length;
    const total = this.samples.reduce((sum, s) => sum + s.ms, 0);
    return { requestsPerMinute: n, errorRate: errors / n, avgResponseTime: Math.round((total / n) * 100) / 100 };
  }
  private prune(): void {
    const cutoff = this.now() - 60_000;
    let drop = 0;
    while (drop < this.samples.length && (this.samples[drop]?.at ?? 0) < cutoff) drop++;
    if (drop > 0) this.samples = this.samples.slice(drop);
  }
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const now = deps.now ?? (() => new Date());
  const startedAt = now().getTime();
  const loggerInstance: FastifyBaseLogger = deps.logger ?? pino({ enabled: false });
  const app = Fastify({ loggerInstance, disableRequestLogging: true });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "lookout_aggregator_" });
  // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool check metrics flags
  // them); the process_* and heap metrics it also provides carry the same information.
  for (const gauge of [
    "nodejs_active_handles_total",
    "nodejs_active_requests_total",
    "nodejs_active_resources_total",
  ]) {
    registry.removeSingleMetric(`lookout_aggregator_${gauge}`);
  }
  const alertsReceived = new Counter({
    name: "lookout_alert_notifications_received_total",
    help: "Alertmanager webhook notifications received, by alert status.",
    labelNames: ["status"],
    registers: [registry],
  });
  const window = new RequestWindow(() => now().getTime());

  app.addHook("onResponse", async (request, reply) => {
    if (request.routeOptions.url === "/health") return; // probes would dominate the figures
    window.record(reply.elapsedTime, reply.statusCode >= 500);
  });

  app.get("/health", { schema: { response: { 200: healthSchema } } }, () => {
    const body: HealthCheckResponse = {
      status: "healthy",
      timestamp: now().toISOString(),
      uptime: Math.round((now().getTime() - startedAt) / 1000),
      version: deps.settings.version,
      dependencies: {},
      metrics: window.summary(),
    };
    return body;
  });

  app.get(
    "/metrics",
    { onRequest: requireBearer(deps.settings.metricsToken, "metrics"), schema: { response: { 401: errorSchema } } },
    async (_request, reply) => {
      reply.header("content-type", registry.contentType);
      return registry.metrics();
    },
  );

  app.post(
    "/api/v1/alerts/webhook",
    {
      onRequest: requireBearer(deps.settings.adminToken, "alert webhook"),
      bodyLimit: 1024 * 1024,
      schema: {
        body: {
          type: "object",
          required: ["status", "alerts"],
          properties: {
            status: { type: "string", enum: ["firing", "resolved"] },
            alerts: { type: "array", items: { type: "object", properties: { status: { type: "string" } } } },
          },
        },
        response: {
          202: { type: "object", properties: { accepted: { type: "integer" } } },
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { alerts: { status?: string }[] };
      for (const alert of body.alerts)
        alertsReceived.inc({ status: alert.status === "resolved" ? "resolved" : "firing" });
      return reply.code(202).send({ accepted: body.alerts.length });
    },
  );

  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    // Client errors say what was wrong; server errors never leak internals.
    const message = status < 500 ? error.message : "internal error";
    if (status >= 500) app.log.error({ err: error }, "request failed");
    await reply.code(status).send({ error: status < 500 ? "bad_request" : "internal", message });
  });

  return app;
}
