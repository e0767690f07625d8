/**
 * The admin API: maintenance windows and Alertmanager silences, behind a JWT (guard.ts, jwt.ts). Reads need a valid
 * token; writes also need the configured write claim. 401 and 403 follow RFC 6750 (`WWW-Authenticate: Bearer
 * error="invalid_token" | "insufficient_scope"`).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Aggregator } from "../aggregator.js";
import { type MaintenanceWindow, windowState } from "../maintenance/calendar.js";
import { operation } from "../openapi/operation.js";
import { errorSchema } from "../schemas.js";
import { AlertmanagerError, type Matcher, regexLiteral } from "./alertmanager.js";
import { identityOf, requireJwt } from "./guard.js";
import {
  adminErrors,
  createSilenceBody,
  createWindowBody,
  silenceIdParams,
  silenceSchema,
  windowIdParams,
  windowSchema,
} from "./schemas.js";

/** A window may start this much before "now" (clocks and request latency); earlier would rewrite recorded history. */
const PAST_START_TOLERANCE_MS = 60_000;
/** Labels the alert rules put on per-target and per-service alerts; a window silences both (see docs). */
export const SILENCE_LABELS = ["target", "service"] as const;

const iso = (ms: number) => new Date(ms).toISOString();

function windowView(w: MaintenanceWindow, now: number, warnings?: string[]) {
  return {
    id: w.id,
    state: windowState(w, now),
    start: iso(w.start),
    end: iso(w.end),
    endedEarly: w.endedEarly,
    targets: w.targets,
    systems: w.systems,
    reason: w.reason,
    createdBy: w.createdBy,
    createdAt: iso(w.createdAt),
    silenceIds: w.silenceIds,
    ...(warnings?.length ? { warnings } : {}),
  };
}

const adminOperation = (operationId: string, summary: string) => operation(operationId, "admin", "adminJwt", summary);

const badRequest = (reply: FastifyReply, message: string) => reply.code(400).send({ error: "bad_request", message });

export function registerAdminRoutes(app: FastifyInstance, aggregator: Aggregator): void {
  const read = requireJwt(aggregator, false);
  const write = requireJwt(aggregator, true);
  const now = () => aggregator.clock.now();
  const alertmanagerDown = (reply: FastifyReply, error: unknown) =>
    reply.code(502).send({
      error: "alertmanager_unavailable",
      message: error instanceof AlertmanagerError ? error.message : "Alertmanager could not be reached",
    });
  const noAlertmanager = (reply: FastifyReply) =>
    reply.code(503).send({
      error: "alertmanager_not_configured",
      message: "silences need admin.alertmanager.url in the aggregator's config",
    });

  app.get(
    "/api/v1/admin/maintenance",
    {
      onRequest: read,
      schema: {
        ...adminOperation("listMaintenanceWindows", "Maintenance windows"),
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            state: { type: "string", enum: ["active", "upcoming", "past", "all"], default: "all" },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            description: "Maintenance windows.",
            type: "object",
            required: ["windows"],
            properties: { windows: { type: "array", items: windowSchema } },
          },
          ...adminErrors,
        },
      },
    },
    (request) => {
      const { state, limit } = request.query as { state: "active" | "upcoming" | "past" | "all"; limit: number };
      const at = now();
      return { windows: aggregator.maintenance.list(state, limit).map((w) => windowView(w, at)) };
    },
  );

  app.get(
    "/api/v1/admin/maintenance/:id",
    {
      onRequest: read,
      schema: {
        ...adminOperation("getMaintenanceWindow", "One maintenance window"),
        params: windowIdParams,
        response: { 200: windowSchema, 404: errorSchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      const w = aggregator.maintenance.get((request.params as { id: number }).id);
      if (!w) return reply.code(404).send({ error: "not_found", message: "no such maintenance window" });
      return windowView(w, now());
    },
  );

  app.post(
    "/api/v1/admin/maintenance",
    {
      onRequest: write,
      schema: {
        ...adminOperation("createMaintenanceWindow", "Create a maintenance window (write claim)"),
        body: createWindowBody,
        response: { 201: windowSchema, 502: errorSchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        targets?: string[];
        systems?: string[];
        start?: string;
        end: string;
        reason: string;
      };
      const at = now();
      const start = body.start ? Date.parse(body.start) : at;
      const end = Date.parse(body.end);
      if (end <= start) return badRequest(reply, "end must be after start");
      if (end <= at) return badRequest(reply, "end must be in the future");
      if (start < at - PAST_START_TOLERANCE_MS)
        return badRequest(reply, "start must not be in the past: recorded history is not rewritten");
      const configured = aggregator.engine.currentConfig.targets;
      const known = new Set(configured.map((t) => t.id));
      const unknownTargets = (body.targets ?? []).filter((t) => !known.has(t));
      if (unknownTargets.length)
        return badRequest(reply, `unknown target ${unknownTargets.map((t) => `"${t}"`).join(", ")}`);
      const systems = new Set(configured.map((t) => t.system));
      const unknownSystems = (body.systems ?? []).filter((s) => !systems.has(s));
      if (unknownSystems.length)
        return badRequest(reply, `unknown system ${unknownSystems.map((s) => `"${s}"`).join(", ")}`);
      const targets = [
        ...new Set([
          ...(body.targets ?? []),
          ...configured.filter((t) => body.systems?.includes(t.system)).map((t) => t.id),
        ]),
      ];
      if (targets.length === 0) return badRequest(reply, "name at least one target or system");

      const { subject } = identityOf(request);
      // Silences first: if Alertmanager refuses, nothing is stored and the caller can retry as a whole.
      const silenceIds: string[] = [];
      const alertmanager = aggregator.admin.alertmanager;
      if (alertmanager) {
        try {
          const value = targets.map(regexLiteral).join("|");
          for (const label of SILENCE_LABELS) {
            const matchers: Matcher[] = [{ name: label, value, isRegex: true, isEqual: true }];
            silenceIds.push(
              await alertmanager.create({
                matchers,
                startsAt: iso(start),
                endsAt: iso(end),
                createdBy: `lookout maintenance (${subject})`,
                comment: `Maintenance: ${body.reason}`,
              }),
            );
          }
        } catch (error) {
          await Promise.allSettled(silenceIds.map((id) => alertmanager.expire(id)));
          return alertmanagerDown(reply, error);
        }
      }
      const created = aggregator.maintenance.create({
        start,
        end,
        targets,
        systems: body.systems ?? [],
        reason: body.reason,
        createdBy: subject,
      });
      if (silenceIds.length) aggregator.maintenance.setSilences(created.id, silenceIds);
      aggregator.maintenanceChanged();
      request.log.info({ window: created.id, targets: targets.length }, "maintenance window created");
      return reply.code(201).send(windowView({ ...created, silenceIds }, at));
    },
  );

  app.post(
    "/api/v1/admin/maintenance/:id/end",
    {
      onRequest: write,
      schema: {
        ...adminOperation("endMaintenanceWindow", "End an active window now (write claim)"),
        params: windowIdParams,
        response: { 200: windowSchema, 404: errorSchema, 409: errorSchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const existing = aggregator.maintenance.get(id);
      if (!existing) return reply.code(404).send({ error: "not_found", message: "no such maintenance window" });
      const ended = aggregator.maintenance.endNow(id);
      if (!ended)
        return reply.code(409).send({
          error: "conflict",
          message: `window ${id} is ${windowState(existing, now())}; only an active window can be ended (delete an upcoming one)`,
        });
      aggregator.maintenanceChanged();
      const warnings = await expireSilences(aggregator, ended.silenceIds);
      return windowView(ended, now(), warnings);
    },
  );

  app.delete(
    "/api/v1/admin/maintenance/:id",
    {
      onRequest: write,
      schema: {
        ...adminOperation("deleteMaintenanceWindow", "Delete an upcoming or past window (write claim)"),
        params: windowIdParams,
        response: {
          200: {
            description: "The window was deleted, with its silences expired.",
            type: "object",
            required: ["deleted"],
            properties: { deleted: { type: "integer" }, warnings: { type: "array", items: { type: "string" } } },
          },
          404: errorSchema,
          409: errorSchema,
          ...adminErrors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const existing = aggregator.maintenance.get(id);
      if (!existing) return reply.code(404).send({ error: "not_found", message: "no such maintenance window" });
      if (windowState(existing, now()) === "active")
        return reply
          .code(409)
          .send({ error: "conflict", message: `window ${id} is active: end it first (POST …/${id}/end)` });
      aggregator.maintenance.delete(id);
      aggregator.maintenanceChanged();
      const warnings =
        windowState(existing, now()) === "upcoming" ? await expireSilences(aggregator, existing.silenceIds) : [];
      return { deleted: id, ...(warnings.length ? { warnings } : {}) };
    },
  );

  app.get(
    "/api/v1/admin/silences",
    {
      onRequest: read,
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
      const alertmanager = aggregator.admin.alertmanager;
      if (!alertmanager) return noAlertmanager(reply);
      const { state } = request.query as { state: string };
      try {
        const silences = await alertmanager.list();
        return { silences: silences.filter((s) => state === "all" || s.state === state) };
      } catch (error) {
        return alertmanagerDown(reply, error);
      }
    },
  );

  app.post(
    "/api/v1/admin/silences",
    {
      onRequest: write,
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
      const alertmanager = aggregator.admin.alertmanager;
      if (!alertmanager) return noAlertmanager(reply);
      const body = request.body as { matchers: Matcher[]; start?: string; end: string; comment: string };
      const at = now();
      const start = body.start ? Date.parse(body.start) : at;
      const end = Date.parse(body.end);
      if (end <= start) return badRequest(reply, "end must be after start");
      if (end <= at) return badRequest(reply, "end must be in the future");
      try {
        const id = await alertmanager.create({
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
      onRequest: write,
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
      const alertmanager = aggregator.admin.alertmanager;
      if (!alertmanager) return noAlertmanager(reply);
      const { id } = request.params as { id: string };
      try {
        await alertmanager.expire(id);
        return { expired: id };
      } catch (error) {
        if (error instanceof AlertmanagerError && error.status === 404)
          return reply.code(404).send({ error: "not_found", message: `Alertmanager has no silence ${id}` });
        return alertmanagerDown(reply, error);
      }
    },
  );
}

/** Expires a window's silences; what failed comes back as warnings (the window itself has already changed). */
async function expireSilences(aggregator: Aggregator, ids: string[]): Promise<string[]> {
  const alertmanager = aggregator.admin.alertmanager;
  if (!alertmanager || ids.length === 0) return [];
  const results = await Promise.allSettled(ids.map((id) => alertmanager.expire(id)));
  return results.flatMap((r, i) =>
    r.status === "rejected" ? [`silence ${ids[i]} was not expired: ${(r.reason as Error).message}`] : [],
  );
}
