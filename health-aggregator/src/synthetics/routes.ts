/**
 * The synthetics HTTP interface, schema-first like the rest of the API:
 *
 *   GET  /api/v1/synthetics               the enabled flows: schedule, threshold, state, last run
 *   GET  /api/v1/synthetics/:flow/runs    the flow's latest runs (?limit=1–200), newest first
 *   POST /api/v1/synthetics/:flow/runs    run it now (admin bearer token); answers when the run is over, with its
 *                                         result — 201 whatever the outcome, 409 while a run is in progress
 */
import type { FastifyPluginCallback } from "fastify";
import type { RunResult } from "../../../synthetics/index.js";
import { errorSchema } from "../api/schemas.js";
import { requireBearer } from "../bearer.js";
import { operation } from "../openapi/operation.js";
import { FlowBusyError, type SyntheticsService } from "./service.js";

const outcome = { type: "string", enum: ["success", "failure", "timeout"] } as const;

const failureSchema = {
  type: "object",
  required: ["assertion", "expected", "actual", "message"],
  properties: {
    assertion: { type: "string" },
    expected: { type: "string" },
    actual: { type: "string" },
    message: { type: "string" },
  },
} as const;

const traceSchema = {
  type: "object",
  required: ["status", "durationMs", "assertions"],
  properties: {
    status: { type: "string", enum: ["passed", "failed", "unavailable"] },
    reason: { type: "string" },
    durationMs: { type: "number" },
    assertions: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "status"],
        properties: {
          name: { type: "string" },
          status: { type: "string", enum: ["passed", "failed", "unavailable"] },
          check: { type: "string" },
          expected: { type: "string" },
          actual: { type: "string" },
          message: { type: "string" },
          spanId: { type: "string" },
          service: { type: "string" },
          spanName: { type: "string" },
          /** The offending span in the Jaeger UI (`?uiFind=<span id>`), when jaeger_ui_url is configured. */
          spanUrl: { type: "string" },
        },
      },
    },
  },
} as const;

export const runSchema = {
  description: "One run of a synthetic flow: its steps, outcome and trace.",
  type: "object",
  required: ["runId", "flow", "trigger", "startedAt", "durationMs", "outcome", "traceId", "steps"],
  properties: {
    runId: { type: "string" },
    flow: { type: "string" },
    trigger: { type: "string", enum: ["schedule", "recheck", "manual", "local"] },
    startedAt: { type: "string", format: "date-time" },
    durationMs: { type: "number" },
    outcome,
    traceId: { type: "string" },
    traceUrl: { type: "string" },
    error: { type: "string" },
    trace: traceSchema,
    steps: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "status", "durationMs", "attempts"],
        properties: {
          name: { type: "string" },
          status: { type: "string", enum: ["passed", "failed", "skipped"] },
          durationMs: { type: "number" },
          attempts: { type: "integer" },
          cleanup: { type: "boolean" },
          httpStatus: { type: "integer" },
          spanId: { type: "string" },
          failure: failureSchema,
        },
      },
    },
  },
} as const;

export const flowsSchema = {
  description: "The enabled flows: schedule, threshold, state and last run.",
  type: "object",
  required: ["flows"],
  properties: {
    flows: {
      type: "array",
      items: {
        type: "object",
        required: [
          "name",
          "description",
          "schedule",
          "timeoutMs",
          "alertAfter",
          "consecutiveFailures",
          "running",
          "lastRun",
        ],
        properties: {
          name: { type: "string" },
          description: { type: "string" },
          schedule: { type: "string" },
          timeoutMs: { type: "integer" },
          alertAfter: { type: "integer" },
          recheckMs: { type: ["integer", "null"] },
          consecutiveFailures: { type: "integer" },
          running: { type: "boolean" },
          lastRun: { anyOf: [runSchema, { type: "null" }] },
        },
      },
    },
  },
} as const;

const flowParams = {
  type: "object",
  required: ["flow"],
  properties: { flow: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" } },
} as const;

export interface SyntheticsRoutesOptions {
  service: SyntheticsService;
  /** The admin token a manual run needs as its bearer credential. */
  adminToken: string;
}

export const syntheticsRoutes: FastifyPluginCallback<SyntheticsRoutesOptions> = (
  app,
  { service, adminToken },
  done,
) => {
  const view = (run: RunResult) => {
    const traceUrl = service.traceUrl(run.traceId);
    const trace = run.trace && {
      ...run.trace,
      assertions: run.trace.assertions.map((a) => {
        const spanUrl = a.spanId ? service.traceUrl(run.traceId, a.spanId) : undefined;
        return { ...a, ...(spanUrl ? { spanUrl } : {}) };
      }),
    };
    return {
      ...run,
      startedAt: new Date(run.startedAt).toISOString(),
      ...(traceUrl ? { traceUrl } : {}),
      ...(trace ? { trace } : {}),
    };
  };
  const unknown = (flow: string) => ({
    error: "not_found",
    message: `no enabled flow named "${flow}" (enabled: ${[...service.flows.keys()].join(", ") || "none"})`,
  });

  const listFlows = {
    ...operation("listSyntheticFlows", "synthetics", "none", "The enabled flows and their last run"),
  };
  app.get("/api/v1/synthetics", { schema: { ...listFlows, response: { 200: flowsSchema } } }, () => ({
    flows: [...service.flows.values()].map((state) => {
      const last = service.runs(state.flow.name, 1)[0];
      return {
        name: state.flow.name,
        description: state.flow.description,
        schedule: state.schedule,
        timeoutMs: state.flow.timeoutMs,
        alertAfter: state.flow.alertAfter,
        recheckMs: state.recheckMs ?? null,
        consecutiveFailures: state.consecutiveFailures,
        running: state.running !== undefined,
        lastRun: last ? view(last) : null,
      };
    }),
  }));

  app.get(
    "/api/v1/synthetics/:flow/runs",
    {
      schema: {
        ...operation("listSyntheticRuns", "synthetics", "none", "A flow's latest runs, newest first"),
        params: flowParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { limit: { type: "integer", minimum: 1, maximum: 200, default: 20 } },
        },
        response: {
          200: {
            description: "The flow's latest runs, newest first.",
            type: "object",
            required: ["flow", "runs"],
            properties: { flow: { type: "string" }, runs: { type: "array", items: runSchema } },
          },
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { flow } = request.params as { flow: string };
      const { limit } = request.query as { limit: number };
      if (!service.flows.has(flow)) return reply.code(404).send(unknown(flow));
      return { flow, runs: service.runs(flow, limit).map(view) };
    },
  );

  app.post(
    "/api/v1/synthetics/:flow/runs",
    {
      onRequest: requireBearer(adminToken, "synthetics"),
      schema: {
        ...operation("runSyntheticFlow", "synthetics", "adminToken", "Run a flow now; answers when the run is over"),
        params: flowParams,
        response: { 201: runSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const { flow } = request.params as { flow: string };
      if (!service.flows.has(flow)) return reply.code(404).send(unknown(flow));
      try {
        const run = await service.trigger(flow, "manual");
        return await reply.code(201).send(view(run));
      } catch (error) {
        if (error instanceof FlowBusyError) return reply.code(409).send({ error: "conflict", message: error.message });
        throw error;
      }
    },
  );
  done();
};
