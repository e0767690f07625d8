/**
 * The probes: GET /health (public; the HealthCheckResponse of @lookout/instrumentation, answered from memory) and
 * GET /metrics (Prometheus, behind the metrics token).
 */
import type { HealthCheckResponse, RequestWindow } from "@lookout/instrumentation";
import type { FastifyPluginCallback } from "fastify";
import type { Registry } from "prom-client";
import { requireBearer } from "../bearer.js";
import { operation } from "../openapi/operation.js";
import { errorSchema, healthSchema } from "./schemas.js";

export interface ProbeRoutesOptions {
  version: string;
  metricsToken: string;
  registry: Registry;
  /** The aggregator's own state and its dependencies' (its database write probe). */
  self: () => Pick<HealthCheckResponse, "status" | "dependencies">;
  /** The requests of the last minute, for the `metrics` block. */
  window: RequestWindow;
  now: () => number;
}

export const probeRoutes: FastifyPluginCallback<ProbeRoutesOptions> = (app, options, done) => {
  const { now } = options;
  const startedAt = now();
  // Answered from memory: the body is built (and the database write probe run) at most once per second of the
  // aggregator's clock and sent as a ready string, so a probe storm costs one string send per request. The schema
  // still documents the reply, and a test validates replies against it.
  let health: { second: number; body: string } | undefined;
  app.get(
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
        const { status, dependencies } = options.self();
        const body: HealthCheckResponse = {
          status,
          timestamp: new Date(now()).toISOString(),
          uptime: Math.round((now() - startedAt) / 1000),
          version: options.version,
          dependencies,
          metrics: options.window.summary(),
        };
        health = { second, body: JSON.stringify(body) };
      }
      return reply.type("application/json; charset=utf-8").send(health.body);
    },
  );

  app.get(
    "/metrics",
    {
      onRequest: requireBearer(options.metricsToken, "metrics"),
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
      reply.header("content-type", options.registry.contentType);
      return options.registry.metrics();
    },
  );
  done();
};
