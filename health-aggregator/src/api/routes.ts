/**
 * The public read API, schema-first, from the read models (read-models/):
 *
 *   GET /api/v1/status                 every public target's current state (cached for a second)
 *   GET /api/v1/targets/:id/history    a target's availability, latency and incidents over ?window=24h|7d|30d|90d|1y
 *   GET /api/v1/incidents              incidents, newest first (?state=open|all, ?limit=1–500)
 */
import type { FastifyPluginCallback } from "fastify";
import { HISTORY_WINDOWS, type HistoryReadModel, type HistoryWindow } from "../read-models/history.js";
import { historySchema, incidentsSchema, statusSchema } from "../read-models/schemas.js";
import { operation } from "../openapi/operation.js";
import { errorSchema } from "./schemas.js";

export interface ApiRoutesOptions {
  /** The status JSON, serialised (and cached) by the caller. */
  status: () => string;
  history: HistoryReadModel;
}

export const apiRoutes: FastifyPluginCallback<ApiRoutesOptions> = (app, { status, history }, done) => {
  // Serialised with JSON.stringify and cached for a second: with thousands of targets the schema serialiser costs
  // ten times more than the model. The schema still documents the reply, and a test validates replies against it.
  app.get(
    "/api/v1/status",
    {
      schema: {
        ...operation("getStatus", "status", "none", "Every public target's current state"),
        response: { 200: statusSchema },
      },
    },
    async (_request, reply) => reply.type("application/json; charset=utf-8").send(status()),
  );

  app.get(
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
      const { window } = request.query as { window: HistoryWindow };
      const found = history.history(id, window);
      if (!found) return reply.code(404).send({ error: "not_found", message: `no target with id "${id}"` });
      return found;
    },
  );

  app.get(
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
      return { incidents: history.incidents({ openOnly: state === "open", limit }) };
    },
  );
  done();
};
