/**
 * The health aggregator as a Fastify app. buildApp() builds the HTTP interface over an Aggregator (engine, store,
 * metrics — see aggregator.ts), so tests run the same app through inject(). Every route declares its request and
 * response schemas, errors included, and its operation (openapi/operation.ts): the published OpenAPI document is
 * generated from them. Errors say what was wrong and never leak internals.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from "fastify";
import { pino } from "pino";
import type { Aggregator, WebhookAlert } from "./aggregator.js";
import { registerAdminRoutes } from "./admin/routes.js";
import type { AggregatorSettings } from "./config.js";
import { registerCors } from "./cors.js";
import { requireBearer } from "./bearer.js";
import { alertsSchema, errorSchema, healthSchema, historySchema, incidentsSchema, statusSchema } from "./schemas.js";
import { operation } from "./openapi/operation.js";
import { registerOpenApi, registerOpenApiRoute } from "./openapi/routes.js";
import { renderStatusPage } from "./status-page/render.js";
import { registerSyntheticsRoutes } from "./synthetics/routes.js";
import { type HealthCheckResponse, RequestWindow } from "@lookout/instrumentation";

export interface AppDeps {
  settings: AggregatorSettings;
  aggregator: Aggregator;
  /** The process's pino logger; tests leave it out (silent). */
  logger?: FastifyBaseLogger;
}

export const HISTORY_WINDOWS = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
  "1y": 365 * 86_400_000,
} as const;

export function buildApp(deps: AppDeps): FastifyInstance {
  const { aggregator } = deps;
  const now = () => aggregator.clock.now();
  const startedAt = now();
  const loggerInstance: FastifyBaseLogger = deps.logger ?? pino({ enabled: false });
  // Per-request log lines off: probes and scrapes would drown everything else; errors are logged by the handler.
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  const window = new RequestWindow(now);

  app.addHook("onResponse", async (request, reply) => {
    if (request.routeOptions.url === "/health") return; // probes would dominate the figures
    window.record(reply.elapsedTime, reply.statusCode >= 500);
  });

  // CORS and the OpenAPI generator see only the routes registered after they have loaded, so the routes are
  // registered in a plugin of their own, which Fastify loads after them.
  registerCors(app, () => aggregator.corsOrigins);
  registerOpenApi(app, deps.settings.version);
  app.register((routes, _options, done) => {
    // Answered from memory: the body is built (and the database write probe run) at most once per second of the
    // aggregator's clock and sent as a ready string, so a probe storm costs one string send per request. The schema
    // still documents the reply, and a test validates replies against it.
    let health: { second: number; body: string } | undefined;
    routes.get(
      "/health",
      {
        schema: {
          ...operation("getHealth", "probes", "none", "The aggregator's own HealthCheckResponse"),
          response: { 200: healthSchema },
        },
      },
      async (_request, reply) => {
        const second = Math.floor(now() / 1000);
        if (health?.second !== second) {
          const body: HealthCheckResponse = {
            status: aggregator.selfStatus(),
            timestamp: new Date(now()).toISOString(),
            uptime: Math.round((now() - startedAt) / 1000),
            version: deps.settings.version,
            dependencies: aggregator.selfDependencies(),
            metrics: window.summary(),
          };
          health = { second, body: JSON.stringify(body) };
        }
        return reply.type("application/json; charset=utf-8").send(health.body);
      },
    );

    routes.get(
      "/metrics",
      {
        onRequest: requireBearer(deps.settings.metricsToken, "metrics"),
        schema: {
          ...operation("getMetrics", "probes", "metricsToken", "Prometheus metrics (lookout_*)"),
          response: {
            200: {
              description: "Prometheus text exposition format.",
              content: { "text/plain": { schema: { type: "string" } } },
            },
            401: errorSchema,
          },
        },
      },
      async (_request, reply) => {
        reply.header("content-type", aggregator.metrics.registry.contentType);
        return aggregator.metrics.registry.metrics();
      },
    );

    // Serialised with JSON.stringify and cached for a second: with thousands of targets the schema serialiser costs
    // ten times more than the model. The schema still documents the reply, and a test validates replies against it.
    routes.get(
      "/api/v1/status",
      {
        schema: {
          ...operation("getStatus", "status", "none", "Every public target's current state"),
          response: { 200: statusSchema },
        },
      },
      async (_request, reply) => {
        const body = aggregator.cachedRead("status", () => JSON.stringify(aggregator.status()));
        return reply.type("application/json; charset=utf-8").send(body);
      },
    );

    routes.get(
      "/api/v1/targets/:id/history",
      {
        schema: {
          ...operation(
            "getTargetHistory",
            "status",
            "none",
            "A target's availability, latency and incidents over a window",
          ),
          params: {
            type: "object",
            required: ["id"],
            properties: { id: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,63}$" } },
          },
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { window: { type: "string", enum: Object.keys(HISTORY_WINDOWS), default: "24h" } },
          },
          response: { 200: historySchema, 400: errorSchema, 404: errorSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const { window: name } = request.query as { window: keyof typeof HISTORY_WINDOWS };
        const history = aggregator.history(id, name, HISTORY_WINDOWS[name]);
        if (!history) return reply.code(404).send({ error: "not_found", message: `no target with id "${id}"` });
        return history;
      },
    );

    routes.get(
      "/api/v1/incidents",
      {
        schema: {
          ...operation("listIncidents", "status", "none", "Incidents, newest first"),
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              state: { type: "string", enum: ["open", "all"], default: "all" },
              limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
            },
          },
          response: { 200: incidentsSchema, 400: errorSchema },
        },
      },
      (request) => {
        const { state, limit } = request.query as { state: "open" | "all"; limit: number };
        return { incidents: aggregator.incidents({ openOnly: state === "open", limit }) };
      },
    );

    // Alertmanager's webhook payload (version 4): only the fields we keep are declared; the rest is ignored.
    routes.post(
      "/api/v1/alerts/webhook",
      {
        onRequest: requireBearer(deps.settings.adminToken, "alert webhook"),
        bodyLimit: 1024 * 1024,
        schema: {
          ...operation("receiveAlertmanagerWebhook", "alerts", "adminToken", "Alertmanager notifications (webhook v4)"),
          body: {
            type: "object",
            required: ["status", "alerts"],
            properties: {
              status: { type: "string", enum: ["firing", "resolved"] },
              alerts: {
                type: "array",
                maxItems: 1000,
                items: {
                  type: "object",
                  required: ["status", "labels", "startsAt"],
                  properties: {
                    status: { type: "string", enum: ["firing", "resolved"] },
                    labels: { type: "object", required: ["alertname"], additionalProperties: { type: "string" } },
                    annotations: { type: "object", additionalProperties: { type: "string" } },
                    startsAt: { type: "string", format: "date-time" },
                    endsAt: { type: "string" },
                    fingerprint: { type: "string", maxLength: 64 },
                  },
                },
              },
            },
          },
          response: {
            202: {
              description: "How many alerts were recorded.",
              type: "object",
              properties: { accepted: { type: "integer" } },
            },
            400: errorSchema,
            401: errorSchema,
          },
        },
      },
      async (request, reply) => {
        const body = request.body as { alerts: WebhookAlert[] };
        aggregator.recordAlerts(body.alerts);
        return reply.code(202).send({ accepted: body.alerts.length });
      },
    );

    routes.get(
      "/api/v1/alerts",
      {
        schema: {
          ...operation("listAlerts", "status", "none", "Alert history, newest first"),
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              state: { type: "string", enum: ["firing", "all"], default: "all" },
              limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
            },
          },
          response: { 200: alertsSchema, 400: errorSchema },
        },
      },
      (request) => {
        const { state, limit } = request.query as { state: "firing" | "all"; limit: number };
        return { alerts: aggregator.alerts({ firingOnly: state === "firing", limit }) };
      },
    );

    registerSyntheticsRoutes(routes, deps);
    registerAdminRoutes(routes, aggregator);
    registerOpenApiRoute(routes);

    const statusPage = {
      ...operation("getStatusPage", "documents", "none", "The public status page"),
      response: { 200: { description: "The status page.", content: { "text/html": { schema: { type: "string" } } } } },
    };
    routes.get("/status", { schema: statusPage }, async (_request, reply) => {
      reply.header("content-type", "text/html; charset=utf-8");
      // Shared caches may keep it briefly; the page refreshes itself every 30 s.
      reply.header("cache-control", "public, max-age=10");
      return aggregator.cachedRead("status-page", () => renderStatusPage(aggregator.statusPageModel()));
    });
    done();
  });

  app.setNotFoundHandler(async (request, reply) => {
    await reply
      .code(404)
      .send({ error: "not_found", message: `no route for ${request.method} ${request.url.split("?")[0]}` });
  });

  app.setErrorHandler(async (error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    // Client errors say what was wrong; server errors never leak internals.
    const message = status < 500 ? error.message : "internal error";
    if (status >= 500) app.log.error({ err: error }, "request failed");
    await reply.code(status).send({ error: status < 500 ? "bad_request" : "internal", message });
  });

  return app;
}
