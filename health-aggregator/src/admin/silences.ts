/**
 * The admin API's Alertmanager silences (list, create, expire), behind the admin JWT (guard.ts): reads need a valid
 * token, writes also the configured write claim. 503 while admin.alertmanager is not configured, 502 when it cannot
 * be reached.
 */
import type { FastifyPluginCallback } from "fastify";
import { errorSchema } from "../api/schemas.js";
import { type AlertmanagerClient, AlertmanagerError, type Matcher } from "./alertmanager.js";
import { type AdminGuard, identityOf } from "./guard.js";
import { adminOperation, alertmanagerDown, badRequest, noAlertmanager } from "./replies.js";
import { adminErrors, createSilenceBody, silenceIdParams, silenceSchema } from "./schemas.js";

export interface SilenceRoutesOptions {
  guard: AdminGuard;
  /** admin.alertmanager of the config in force; undefined when none is configured. */
  alertmanager: () => AlertmanagerClient | undefined;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export const silenceRoutes: FastifyPluginCallback<SilenceRoutesOptions> = (app, { guard, alertmanager, now }, done) => {
  app.get(
    "/api/v1/admin/silences",
    {
      onRequest: guard.read,
      schema: {
        ...adminOperation("listSilences", "Alertmanager's silences"),
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { state: { type: "string", enum: ["active", "pending", "expired", "all"], default: "all" } },
        },
        response: {
          200: {
            description: "Alertmanager's silences.",
            type: "object",
            required: ["silences"],
            properties: { silences: { type: "array", items: silenceSchema } },
          },
          502: errorSchema,
          ...adminErrors,
        },
      },
    },
    async (request, reply) => {
      const client = alertmanager();
      if (!client) return noAlertmanager(reply);
      const { state } = request.query as { state: string };
      try {
        const silences = await client.list();
        return { silences: silences.filter((s) => state === "all" || s.state === state) };
      } catch (error) {
        return alertmanagerDown(reply, error);
      }
    },
  );

  app.post(
    "/api/v1/admin/silences",
    {
      onRequest: guard.write,
      schema: {
        ...adminOperation("createSilence", "Create an Alertmanager silence (write claim)"),
        body: createSilenceBody,
        response: {
          201: {
            description: "The silence's id.",
            type: "object",
            required: ["id"],
            properties: { id: { type: "string" } },
          },
          502: errorSchema,
          ...adminErrors,
        },
      },
    },
    async (request, reply) => {
      const client = alertmanager();
      if (!client) return noAlertmanager(reply);
      const body = request.body as { matchers: Matcher[]; start?: string; end: string; comment: string };
      const at = now();
      const start = body.start ? Date.parse(body.start) : at;
      const end = Date.parse(body.end);
      if (end <= start) return badRequest(reply, "end must be after start");
      if (end <= at) return badRequest(reply, "end must be in the future");
      try {
        const id = await client.create({
          matchers: body.matchers,
          startsAt: iso(start),
          endsAt: iso(end),
          createdBy: `lookout admin (${identityOf(request).subject})`,
          comment: body.comment,
        });
        return reply.code(201).send({ id });
      } catch (error) {
        // Alertmanager's 400 (e.g. an invalid regex) is the caller's mistake: pass it on as such.
        if (error instanceof AlertmanagerError && error.status === 400) return badRequest(reply, error.message);
        return alertmanagerDown(reply, error);
      }
    },
  );

  app.delete(
    "/api/v1/admin/silences/:id",
    {
      onRequest: guard.write,
      schema: {
        ...adminOperation("expireSilence", "Expire an Alertmanager silence (write claim)"),
        params: silenceIdParams,
        response: {
          200: {
            description: "The id of the silence expired.",
            type: "object",
            required: ["expired"],
            properties: { expired: { type: "string" } },
          },
          404: errorSchema,
          502: errorSchema,
          ...adminErrors,
        },
      },
    },
    async (request, reply) => {
      const client = alertmanager();
      if (!client) return noAlertmanager(reply);
      const { id } = request.params as { id: string };
      try {
        await client.expire(id);
        return { expired: id };
      } catch (error) {
        if (error instanceof AlertmanagerError && error.status === 404)
          return reply.code(404).send({ error: "not_found", message: `Alertmanager has no silence ${id}` });
        return alertmanagerDown(reply, error);
      }
    },
  );
  done();
};
