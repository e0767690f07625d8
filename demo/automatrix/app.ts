/**
 * AutoMatrix stand-in: the user-facing workflow backend (FastAPI in production; Fastify here).
 *
 *   POST   /api/v1/sessions                 {email, password}          → a session in Redis (user_sessions_active)
 *   DELETE /api/v1/sessions/:id
 *   POST   /api/v1/workflows                {name, template, description?, owner_email?}
 *   GET    /api/v1/workflows, GET /api/v1/workflows/:id
 *   DELETE /api/v1/workflows/:id            → the workflow and its executions
 *   POST   /api/v1/workflows/:id/execute    {input}  (header x-session-id optional)
 *          → runs the template's steps; AI steps go through RelayCore (workflow_executions_total)
 *   GET    /api/v1/executions/:id           → an execution as recorded: status, cost, duration
 *
 * Workflows and executions live in PostgreSQL (database `automatrix`), sessions in Redis.
 */
import { randomUUID } from "node:crypto";
import { Counter } from "prom-client";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { request } from "undici";
import type { HealthMonitor } from "../../instrumentation/src/index.js";
import { type Instrumentation, installFastify } from "../../instrumentation/src/index.js";
import { FaultError, FaultInjector } from "../shared/faults.js";
import { installFastifyFaults } from "../shared/http.js";
import type { DemoSettings } from "../shared/settings.js";
import type { Stores } from "../shared/stores.js";
import { TEMPLATE_NAMES, TEMPLATES } from "./workflows.js";

export const AUTOMATRIX_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS workflows (
     id uuid PRIMARY KEY, name text NOT NULL, template text NOT NULL, description text, owner_email text,
     created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS executions (
     id uuid PRIMARY KEY, workflow_id uuid NOT NULL REFERENCES workflows(id), status text NOT NULL,
     cost_usd numeric(12, 8) NOT NULL, duration_ms integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
];

const SESSION_TTL_SECONDS = 1_800;

export interface AutoMatrixDeps {
  instrumentation: Instrumentation;
  settings: DemoSettings;
  stores: Stores;
  faults: FaultInjector;
  /** Started by the caller (it checks the stores and downstream services in the background). */
  health: HealthMonitor;
  relaycoreUrl: string;
  /** How long an AI step waits for RelayCore: longer than RelayCore waits for NeuroWeaver (up to 30 s) plus a failover. */
  upstreamTimeoutMs: number;
  now?: () => number;
}

export function autoMatrixFaults(): FaultInjector {
  return new FaultInjector([], ["database", "redis", "relaycore"]);
}

const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

const uuidParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", format: "uuid" } },
} as const;

class StepFailed extends Error {}

export function buildAutoMatrix(deps: AutoMatrixDeps): FastifyInstance {
  const { instrumentation, stores, faults } = deps;
  const now = deps.now ?? Date.now;
  const loggerInstance: FastifyBaseLogger = instrumentation.logger;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
  });
  installFastify(app, instrumentation, deps.health);
  // AI spend per workflow template (bounded: one series per template), for the AI cost dashboard's "per workflow"
  // panel; the gateway's AI totals know the service and model of a call, not the workflow that made it.
  const workflowCost =
    (instrumentation.metrics.registry.getSingleMetric("workflow_ai_cost_dollars_total") as
      Counter<"workflow"> | undefined) ??
    new Counter({
      name: "workflow_ai_cost_dollars_total",
      help: "AI cost of workflow executions in US dollars, by workflow template.",
      labelNames: ["workflow"],
      registers: [instrumentation.metrics.registry],
    });
  installFastifyFaults(app, faults, deps.settings.adminToken);

  const db = () => {
    faults.guard("database");
    return stores.pool;
  };
  const redis = () => {
    faults.guard("redis");
    return stores.redis;
  };

  /** Drops expired sessions and sets user_sessions_active; runs in the background, never on a request. */
  const countSessions = async () => {
    const client = redis();
    await client.zremrangebyscore("am:sessions", "-inf", now());
    instrumentation.metrics.userSessionsActive.set(await client.zcard("am:sessions"));
  };
  const sessionTimer = setInterval(() => {
    countSessions().catch(() => {
      /* Redis down: the health check reports it; the gauge keeps its last value */
    });
  }, 5_000);
  sessionTimer.unref();
  app.addHook("onClose", (_instance, done) => {
    clearInterval(sessionTimer);
    done();
  });

  app.post<{ Body: { email: string; password: string } }>(
    "/api/v1/sessions",
    {
      schema: {
        body: {
          type: "object",
          required: ["email", "password"],
          properties: { email: { type: "string", maxLength: 320 }, password: { type: "string", maxLength: 200 } },
        },
        response: { 400: errorSchema },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      const client = redis();
      await client
        .multi()
        .set(`am:session:${id}`, request.body.email, "EX", SESSION_TTL_SECONDS)
        .zadd("am:sessions", now() + SESSION_TTL_SECONDS * 1000, id)
        .exec();
      await countSessions();
      return reply.code(201).send({ session_id: id, expires_in: SESSION_TTL_SECONDS });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/v1/sessions/:id",
    { schema: { params: uuidParams } },
    async (request, reply) => {
      const client = redis();
      await client.multi().del(`am:session:${request.params.id}`).zrem("am:sessions", request.params.id).exec();
      return reply.code(204).send();
    },
  );

  app.post<{ Body: { name: string; template: string; description?: string; owner_email?: string } }>(
    "/api/v1/workflows",
    {
      schema: {
        body: {
          type: "object",
          required: ["name", "template"],
          properties: {
            name: { type: "string", minLength: 1, maxLength: 200 },
            template: { type: "string", enum: TEMPLATE_NAMES },
            description: { type: "string", maxLength: 5_000 },
            owner_email: { type: "string", maxLength: 320 },
          },
        },
        response: { 400: errorSchema },
      },
    },
    async (request, reply) => {
      const id = randomUUID();
      const { name, template, description, owner_email } = request.body;
      await db().query(
        "INSERT INTO workflows (id, name, template, description, owner_email) VALUES ($1, $2, $3, $4, $5)",
        [id, name, template, description ?? null, owner_email ?? null],
      );
      return reply.code(201).send({ id, name, template, steps: TEMPLATES[template] });
    },
  );

  app.get("/api/v1/workflows", async () => {
    const rows = await db().query(
      "SELECT id, name, template, created_at FROM workflows ORDER BY created_at DESC LIMIT 20",
    );
    return { workflows: rows.rows };
  });

  app.get<{ Params: { id: string } }>(
    "/api/v1/workflows/:id",
    { schema: { params: uuidParams } },
    async (request, reply) => {
      const rows = await db().query("SELECT id, name, template, created_at FROM workflows WHERE id = $1", [
        request.params.id,
      ]);
      if (rows.rowCount === 0) return reply.code(404).send({ error: "not_found", message: "no such workflow" });
      return rows.rows[0] as object;
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/v1/workflows/:id",
    { schema: { params: uuidParams, response: { 400: errorSchema, 404: errorSchema } } },
    async (request, reply) => {
      const client = await db().connect();
      try {
        await client.query("BEGIN");
        await client.query("DELETE FROM executions WHERE workflow_id = $1", [request.params.id]);
        const deleted = await client.query("DELETE FROM workflows WHERE id = $1", [request.params.id]);
        await client.query("COMMIT");
        if (deleted.rowCount === 0) return reply.code(404).send({ error: "not_found", message: "no such workflow" });
        return reply.code(204).send();
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/v1/executions/:id",
    { schema: { params: uuidParams, response: { 400: errorSchema, 404: errorSchema } } },
    async (request, reply) => {
      const rows = await db().query<{
        id: string;
        workflow_id: string;
        status: string;
        cost_usd: string;
        duration_ms: number;
        created_at: Date;
      }>("SELECT id, workflow_id, status, cost_usd, duration_ms, created_at FROM executions WHERE id = $1", [
        request.params.id,
      ]);
      const row = rows.rows[0];
      if (!row) return reply.code(404).send({ error: "not_found", message: "no such execution" });
      // numeric comes back from pg as a string; the API speaks numbers.
      return { ...row, cost_usd: Number(row.cost_usd) };
    },
  );

  interface RelayAnswer {
    model: string;
    cost_usd: number;
    output: string;
    finish_reason: string;
    usage: { input_tokens: number; output_tokens: number };
  }

  const callRelayCore = async (body: object): Promise<RelayAnswer> => {
    faults.guard("relaycore");
    let response;
    try {
      response = await request(`${deps.relaycoreUrl}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        headersTimeout: deps.upstreamTimeoutMs,
        bodyTimeout: deps.upstreamTimeoutMs,
      });
    } catch (error) {
      throw new StepFailed(`relaycore: ${(error as Error).message}`);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new StepFailed(`relaycore answered ${response.statusCode}`);
    }
    return (await response.body.json()) as RelayAnswer;
  };

  app.post<{ Params: { id: string }; Body: { input?: Record<string, unknown> } }>(
    "/api/v1/workflows/:id/execute",
    {
      schema: {
        params: uuidParams,
        body: { type: "object", properties: { input: { type: "object" } } },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const started = now();
      const found = await db().query<{ id: string; template: string }>(
        "SELECT id, template FROM workflows WHERE id = $1",
        [request.params.id],
      );
      const workflow = found.rows[0];
      if (!workflow) return reply.code(404).send({ error: "not_found", message: "no such workflow" });
      const sessionId = request.headers["x-session-id"];
      const userId =
        typeof sessionId === "string" ? ((await redis().get(`am:session:${sessionId}`)) ?? undefined) : undefined;
      const input = JSON.stringify(request.body.input ?? {});
      const steps = TEMPLATES[workflow.template] ?? [];
      const results: ({ step: string; status: "success" | "failure" } & Partial<Omit<RelayAnswer, "output">> & {
          output?: string;
        })[] = [];
      let cost = 0;
      let failed = false;
      for (const step of steps) {
        if (failed) break;
        if (step.kind === "transform") {
          results.push({ step: step.name, status: "success" });
          continue;
        }
        try {
          const answer = await callRelayCore({
            prompt: `${step.instruction}\n\n${input}`,
            task: step.task,
            priority: step.priority,
            max_tokens: 512,
            workflow_id: workflow.id,
            user_id: userId,
          });
          cost += answer.cost_usd;
          results.push({
            step: step.name,
            status: "success",
            model: answer.model,
            cost_usd: answer.cost_usd,
            usage: answer.usage,
            finish_reason: answer.finish_reason,
            output: answer.output,
          });
        } catch (error) {
          if (!(error instanceof StepFailed || error instanceof FaultError)) throw error;
          instrumentation.logger.warn(
            { workflow: workflow.template, step: step.name, reason: error.message },
            "workflow step failed",
          );
          results.push({ step: step.name, status: "failure" });
          failed = true;
        }
      }
      const status = failed ? "failure" : "success";
      const executionId = randomUUID();
      await db().query(
        "INSERT INTO executions (id, workflow_id, status, cost_usd, duration_ms) VALUES ($1, $2, $3, $4, $5)",
        [executionId, workflow.id, status, cost, Math.round(now() - started)],
      );
      instrumentation.metrics.workflowExecutions.inc({ workflow: workflow.template, status });
      workflowCost.inc({ workflow: workflow.template }, cost);
      return reply.code(failed ? 502 : 200).send({ execution_id: executionId, status, steps: results, cost_usd: cost });
    },
  );

  app.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : error instanceof FaultError
          ? 503
          : 500;
    // Only the error's class and message: never the request, which may hold user data.
    if (status >= 500)
      instrumentation.logger.error({ err: { type: error.name, message: error.message } }, "request failed");
    return reply.code(status).send({
      error: status < 500 ? "bad_request" : "internal",
      message: status < 500 ? error.message : "internal error",
    });
  });

  return app;
}
