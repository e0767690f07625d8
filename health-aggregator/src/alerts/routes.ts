/**
 * Alert history: Alertmanager's webhook receiver (admin bearer token) and the public list of alerts, newest first.
 *
 *   POST /api/v1/alerts/webhook   notifications from Alertmanager (webhook v4), mapped by webhook.ts and stored
 *   GET  /api/v1/alerts           alert instances (?state=firing|all, ?limit=1–500)
 */
import type { FastifyPluginCallback } from "fastify";
import { errorSchema } from "../api/schemas.js";
import { requireBearer } from "../bearer.js";
import { operation } from "../openapi/operation.js";
import { iso, isoAt } from "../read-models/time.js";
import type { AlertHistoryRepository } from "../store/types.js";
import { alertsSchema, webhookBody } from "./schemas.js";
import { alertRecord, type WebhookAlert } from "./webhook.js";

export interface AlertRoutesOptions {
  alerts: AlertHistoryRepository;
  /** The admin token Alertmanager's webhook config sends as its bearer credential. */
  adminToken: string;
  /** Counts each alert received, by status (lookout_alerts_received_total). */
  received: (status: WebhookAlert["status"]) => void;
  now: () => number;
}

export const alertRoutes: FastifyPluginCallback<AlertRoutesOptions> = (
  app,
  { alerts, adminToken, received, now },
  done,
) => {
  app.post(
    "/api/v1/alerts/webhook",
    {
      onRequest: requireBearer(adminToken, "alert webhook"),
      bodyLimit: 1024 * 1024,
      schema: {
        ...operation("receiveAlertmanagerWebhook", "alerts", "adminToken", "Alertmanager notifications (webhook v4)"),
        body: webhookBody,
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
      alerts.upsert(body.alerts.map(alertRecord), now());
      for (const a of body.alerts) received(a.status);
      return reply.code(202).send({ accepted: body.alerts.length });
    },
  );

  app.get(
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
      const list = alerts.list({ firingOnly: state === "firing", limit });
      return { alerts: list.map((a) => ({ ...a, startsAt: isoAt(a.startsAt), endsAt: iso(a.endsAt) })) };
    },
  );
  done();
};
