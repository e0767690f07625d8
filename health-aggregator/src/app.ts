/**
 * The health aggregator as a Fastify app. buildApp() registers the route modules — each a Fastify plugin given only
 * the parts of the Aggregator (aggregator.ts) it uses — so tests run the same app through inject(). Every route
 * declares its request and response schemas, errors included, and its operation (openapi/operation.ts): the
 * published OpenAPI document is generated from them. Errors say what was wrong and never leak internals.
 */
import { RequestWindow } from "@lookout/instrumentation";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from "fastify";
import { pino } from "pino";
import { adminGuard } from "./admin/guard.js";
import { silenceRoutes } from "./admin/silences.js";
import type { Aggregator } from "./aggregator.js";
import { alertRoutes } from "./alerts/routes.js";
import { probeRoutes } from "./api/probes.js";
import { apiRoutes } from "./api/routes.js";
import type { AggregatorSettings } from "./config.js";
import { registerCors } from "./cors.js";
import { maintenanceRoutes } from "./maintenance/routes.js";
import { registerOpenApi, registerOpenApiRoute } from "./openapi/routes.js";
import { statusPageRoutes } from "./status-page/routes.js";
import { syntheticsRoutes } from "./synthetics/routes.js";

export interface AppDeps {
  settings: AggregatorSettings;
  aggregator: Aggregator;
  /** The process's pino logger; tests leave it out (silent). */
  logger?: FastifyBaseLogger;
}

export { HISTORY_WINDOWS } from "./read-models/history.js";

export function buildApp(deps: AppDeps): FastifyInstance {
  const { aggregator, settings } = deps;
  const now = () => aggregator.clock.now();
  const loggerInstance: FastifyBaseLogger = deps.logger ?? pino({ enabled: false });
  // Per-request log lines off: probes and scrapes would drown everything else; errors are logged by the handler.
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  const window = new RequestWindow(now);

  app.addHook("onResponse", async (request, reply) => {
    if (request.routeOptions.url === "/health") return; // probes would dominate the figures
    window.record(reply.elapsedTime, reply.statusCode >= 500);
  });

  // CORS and the OpenAPI generator see only the routes registered after they have loaded, so the routes are
  // registered in a plugin of their own, which Fastify loads after them. Inside it every route module is a plugin
  // too, loaded in the order registered: the OpenAPI document lists the routes in that order.
  registerCors(app, () => aggregator.corsOrigins);
  registerOpenApi(app, settings.version);
  app.register(async (routes) => {
    const guard = adminGuard(() => aggregator.admin);
    const alertmanager = () => aggregator.admin.alertmanager;
    await routes.register(probeRoutes, {
      version: settings.version,
      metricsToken: settings.metricsToken,
      registry: aggregator.metrics.registry,
      self: () => aggregator.selfHealth(),
      window,
      now,
    });
    await routes.register(apiRoutes, { status: () => aggregator.statusJson(), history: aggregator.history });
    await routes.register(alertRoutes, {
      alerts: aggregator.store.alerts,
      adminToken: settings.adminToken,
      received: (status) => aggregator.metrics.alertsReceived.inc({ status }),
      now,
    });
    await routes.register(syntheticsRoutes, { service: aggregator.synthetics, adminToken: settings.adminToken });
    await routes.register(maintenanceRoutes, {
      calendar: aggregator.maintenance,
      guard,
      targets: () => aggregator.engine.currentConfig.targets,
      alertmanager,
      changed: () => aggregator.maintenanceChanged(),
      now,
    });
    await routes.register(silenceRoutes, { guard, alertmanager, now });
    await routes.register((documents, _options, done) => {
      registerOpenApiRoute(documents);
      done();
    });
    await routes.register(statusPageRoutes, { page: () => aggregator.statusPageHtml() });
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
