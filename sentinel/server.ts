/**
 * The sentinel's HTTP API (Fastify, schema-first):
 * - `POST /api/v1/heartbeat` — Alertmanager's webhook: 401 without the bearer token, 400 naming what is wrong with a
 *   body that is not an Alertmanager notification of the Watchdog, 200 otherwise;
 * - `GET /health` — the sentinel's own health and what it believes about each check;
 * - `GET /metrics` — Prometheus text, behind its own bearer token (not served without one).
 * What to do with a heartbeat is the caller's: the app only parses and authenticates.
 */
import { bearerMatches } from "@lookout/instrumentation";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { type HeartbeatBody, heartbeatBodySchema, heartbeatStatus } from "./heartbeat.js";
import type { SentinelMetrics } from "./metrics.js";
import type { CheckName } from "./types.js";

export interface AppOptions {
  heartbeat: { token: string; alertname: string } | undefined;
  metricsToken: string | undefined;
  metrics: SentinelMetrics;
  onHeartbeat: (firing: boolean) => void;
  checks: () => Partial<Record<CheckName, boolean>>;
  startedAt: number;
  now: () => number;
}

const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

function bearer(token: string, realm: string, onRefused?: () => void) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (bearerMatches(request.headers.authorization, token)) return;
    onRefused?.();
    await reply
      .code(401)
      .header("www-authenticate", `Bearer realm="${realm}"`)
      .send({ error: "unauthorized", message: `${realm} requires an Authorization: Bearer token` });
  };
}

export function buildSentinelApp(options: AppOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  const { metrics } = options;

  // Every 400 says what was wrong, in the same shape as the other errors.
  app.setErrorHandler(async (error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 400) metrics.rejected.inc({ reason: "malformed" });
    await reply.code(status).send({ error: status === 400 ? "bad_request" : "error", message: error.message });
  });

  const heartbeat = options.heartbeat;
  if (heartbeat) {
    app.post<{ Body: HeartbeatBody }>(
      "/api/v1/heartbeat",
      {
        onRequest: bearer(heartbeat.token, "the sentinel's heartbeat", () =>
          metrics.rejected.inc({ reason: "unauthorized" }),
        ),
        schema: {
          body: heartbeatBodySchema,
          response: { 200: { type: "object", properties: { firing: { type: "boolean" } } }, 400: errorSchema },
        },
      },
      async (request, reply) => {
        const status = heartbeatStatus(request.body, heartbeat.alertname);
        if ("error" in status) {
          metrics.rejected.inc({ reason: "malformed" });
          return reply.code(400).send({ error: "bad_request", message: status.error });
        }
        metrics.heartbeats.inc({ status: status.firing ? "firing" : "resolved" });
        if (status.firing) metrics.lastHeartbeat.set(options.now() / 1000);
        options.onHeartbeat(status.firing);
        return { firing: status.firing };
      },
    );
  }

  app.get("/health", () => {
    const checks = options.checks();
    return {
      // The sentinel itself is healthy when it answers; what it watches is in `checks`.
      status: "healthy",
      timestamp: new Date(options.now()).toISOString(),
      uptime: Math.round((options.now() - options.startedAt) / 1000),
      checks: Object.fromEntries(Object.entries(checks).map(([k, up]) => [k, up ? "up" : "down"])),
    };
  });

  if (options.metricsToken) {
    app.get("/metrics", { onRequest: bearer(options.metricsToken, "the sentinel's /metrics") }, async (_r, reply) => {
      metrics.setUp(options.checks());
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  return app;
}
