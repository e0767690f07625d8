/**
 * The admin API's maintenance windows, behind the admin JWT (admin/guard.ts): reads need a valid token, writes also
 * the configured write claim. Creating a window silences its targets' alerts in Alertmanager when one is configured
 * (admin.alertmanager), and ending or deleting an upcoming one expires them.
 */
import type { FastifyPluginCallback } from "fastify";
import { type AlertmanagerClient, type Matcher, regexLiteral } from "../admin/alertmanager.js";
import { adminOperation, alertmanagerDown, badRequest } from "../admin/replies.js";
import { adminErrors } from "../admin/schemas.js";
import { type AdminGuard, identityOf } from "../admin/guard.js";
import { errorSchema } from "../api/schemas.js";
import type { TargetConfig } from "../config/load.js";
import { type MaintenanceCalendar, type MaintenanceWindow, windowState } from "./calendar.js";
import { createWindowBody, windowIdParams, windowSchema } from "./schemas.js";

/** A window may start this much before "now" (clocks and request latency); earlier would rewrite recorded history. */
const PAST_START_TOLERANCE_MS = 60_000;
/** Labels the alert rules put on per-target and per-service alerts; a window silences both (see docs). */
export const SILENCE_LABELS = ["target", "service"] as const;

export interface MaintenanceRoutesOptions {
  calendar: MaintenanceCalendar;
  guard: AdminGuard;
  /** The targets of the config in force: a window names some of them, or their systems. */
  targets: () => readonly TargetConfig[];
  /** admin.alertmanager of the config in force; undefined when none is configured. */
  alertmanager: () => AlertmanagerClient | undefined;
  /** A window was created, ended or deleted: the status page and status JSON must show it now. */
  changed: () => void;
  now: () => number;
}

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

export const maintenanceRoutes: FastifyPluginCallback<MaintenanceRoutesOptions> = (app, options, done) => {
  const { calendar, guard, alertmanager, changed, now } = options;

  app.get(
    "/api/v1/admin/maintenance",
    {
      onRequest: guard.read,
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
      return { windows: calendar.list(state, limit).map((w) => windowView(w, at)) };
    },
  );

  app.get(
    "/api/v1/admin/maintenance/:id",
    {
      onRequest: guard.read,
      schema: {
        ...adminOperation("getMaintenanceWindow", "One maintenance window"),
        params: windowIdParams,
        response: { 200: windowSchema, 404: errorSchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      const w = calendar.get((request.params as { id: number }).id);
      if (!w) return reply.code(404).send({ error: "not_found", message: "no such maintenance window" });
      return windowView(w, now());
    },
  );

  app.post(
    "/api/v1/admin/maintenance",
    {
      onRequest: guard.write,
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
      const configured = options.targets();
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
      const client = alertmanager();
      if (client) {
        try {
          const value = targets.map(regexLiteral).join("|");
          for (const label of SILENCE_LABELS) {
            const matchers: Matcher[] = [{ name: label, value, isRegex: true, isEqual: true }];
            silenceIds.push(
              await client.create({
                matchers,
                startsAt: iso(start),
                endsAt: iso(end),
                createdBy: `lookout maintenance (${subject})`,
                comment: `Maintenance: ${body.reason}`,
              }),
            );
          }
        } catch (error) {
          await Promise.allSettled(silenceIds.map((id) => client.expire(id)));
          return alertmanagerDown(reply, error);
        }
      }
      const created = calendar.create({
        start,
        end,
        targets,
        systems: body.systems ?? [],
        reason: body.reason,
        createdBy: subject,
      });
      if (silenceIds.length) calendar.setSilences(created.id, silenceIds);
      changed();
      request.log.info({ window: created.id, targets: targets.length }, "maintenance window created");
      return reply.code(201).send(windowView({ ...created, silenceIds }, at));
    },
  );

  app.post(
    "/api/v1/admin/maintenance/:id/end",
    {
      onRequest: guard.write,
      schema: {
        ...adminOperation("endMaintenanceWindow", "End an active window now (write claim)"),
        params: windowIdParams,
        response: { 200: windowSchema, 404: errorSchema, 409: errorSchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: number };
      const existing = calendar.get(id);
      if (!existing) return reply.code(404).send({ error: "not_found", message: "no such maintenance window" });
      const ended = calendar.endNow(id);
      if (!ended)
        return reply.code(409).send({
          error: "conflict",
          message: `window ${id} is ${windowState(existing, now())}; only an active window can be ended (delete an upcoming one)`,
        });
      changed();
      const warnings = await expireSilences(alertmanager(), ended.silenceIds);
      return windowView(ended, now(), warnings);
    },
  );

  app.delete(
    "/api/v1/admin/maintenance/:id",
    {
      onRequest: guard.write,
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
      const existing = calendar.get(id);
      if (!existing) return reply.code(404).send({ error: "not_found", message: "no such maintenance window" });
      if (windowState(existing, now()) === "active")
        return reply
          .code(409)
          .send({ error: "conflict", message: `window ${id} is active: end it first (POST …/${id}/end)` });
      calendar.delete(id);
      changed();
      const warnings =
        windowState(existing, now()) === "upcoming" ? await expireSilences(alertmanager(), existing.silenceIds) : [];
      return { deleted: id, ...(warnings.length ? { warnings } : {}) };
    },
  );
  done();
};

/** Expires a window's silences; what failed comes back as warnings (the window itself has already changed). */
async function expireSilences(alertmanager: AlertmanagerClient | undefined, ids: string[]): Promise<string[]> {
  if (!alertmanager || ids.length === 0) return [];
  const results = await Promise.allSettled(ids.map((id) => alertmanager.expire(id)));
  return results.flatMap((r, i) =>
    r.status === "rejected" ? [`silence ${ids[i]} was not expired: ${(r.reason as Error).message}`] : [],
  );
}
