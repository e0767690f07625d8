/**
 * NeuroWeaver stand-in: model serving and deployment. Fastify, like the FastAPI service it stands for.
 *
 *   POST   /v1/inference        {model, prompt, max_tokens?, deployment?} → generated text with realistic token
 *          counts, latency and a finish reason ("length" when cut off at max_tokens); `deployment` pins a deployment
 *   POST   /v1/deployments      {model, replicas?}           → a deployment (model_deployments_total)
 *   DELETE /v1/deployments/:id  → the deployment is removed (no longer serves)
 *   GET    /v1/deployments, GET /v1/models
 *
 * Deployments live in PostgreSQL (database `neuroweaver`), the active deployment per model is cached in Redis.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { trace } from "@opentelemetry/api";
import type { HealthMonitor } from "../../instrumentation/src/index.js";
import { type Instrumentation, installFastify } from "../../instrumentation/src/index.js";
import { FaultInjector } from "../shared/faults.js";
import { installFastifyFaults } from "../shared/http.js";
import { countTokens, MODELS, model, simulateGeneration, sleep } from "../shared/models.js";
import type { DemoSettings } from "../shared/settings.js";
import type { Stores } from "../shared/stores.js";

export const NEUROWEAVER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS deployments (
     id uuid PRIMARY KEY, model text NOT NULL, replicas integer NOT NULL, status text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS inferences (
     id bigserial PRIMARY KEY, model text NOT NULL, input_tokens integer NOT NULL, output_tokens integer NOT NULL,
     latency_ms integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
];

export interface NeuroWeaverDeps {
  instrumentation: Instrumentation;
  settings: DemoSettings;
  stores: Stores;
  faults: FaultInjector;
  /** Started by the caller (it checks the stores and downstream services in the background). */
  health: HealthMonitor;
  /** Multiplies every simulated latency (1 = realistic; 0 for benchmarks, where only the overhead matters). */
  latencyScale: number;
  random?: () => number;
}

export function neuroWeaverFaults(): FaultInjector {
  return new FaultInjector(["runawayCost"], ["database", "redis"]);
}

const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

export function buildNeuroWeaver(deps: NeuroWeaverDeps): FastifyInstance {
  const { instrumentation, stores, faults } = deps;
  const random = deps.random ?? Math.random;
  const loggerInstance: FastifyBaseLogger = instrumentation.logger;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
  });
  installFastify(app, instrumentation, deps.health);
  installFastifyFaults(app, faults, deps.settings.adminToken);

  const activeDeployment = async (name: string): Promise<string | undefined> => {
    faults.guard("redis");
    const cached = await stores.redis.get(`nw:deployment:${name}`);
    if (cached) return cached;
    faults.guard("database");
    const found = await stores.pool.query<{ id: string }>(
      "SELECT id FROM deployments WHERE model = $1 AND status = 'success' ORDER BY created_at DESC LIMIT 1",
      [name],
    );
    const id = found.rows[0]?.id;
    if (id) await stores.redis.set(`nw:deployment:${name}`, id, "EX", 60);
    return id;
  };

  /** A named deployment of this model that is serving, or undefined. */
  const servingDeployment = async (id: string, name: string): Promise<string | undefined> => {
    faults.guard("database");
    const found = await stores.pool.query<{ id: string }>(
      "SELECT id FROM deployments WHERE id = $1 AND model = $2 AND status = 'success'",
      [id, name],
    );
    return found.rows[0]?.id;
  };

  app.post<{ Body: { model: string; prompt: string; max_tokens?: number; deployment?: string } }>(
    "/v1/inference",
    {
      schema: {
        body: {
          type: "object",
          required: ["model", "prompt"],
          properties: {
            model: { type: "string", maxLength: 100 },
            prompt: { type: "string", maxLength: 100_000 },
            max_tokens: { type: "integer", minimum: 1, maximum: 8192 },
            deployment: { type: "string", format: "uuid" },
          },
        },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const profile = model(request.body.model);
      if (!profile || profile.provider !== "neuroweaver") {
        return reply.code(404).send({ error: "not_found", message: "unknown model" });
      }
      let deployment: string | undefined;
      if (request.body.deployment) {
        deployment = await servingDeployment(request.body.deployment, profile.name);
        if (!deployment)
          return reply
            .code(404)
            .send({ error: "not_found", message: "no serving deployment with that id for this model" });
      } else deployment = await activeDeployment(profile.name);
      const inputTokens = countTokens(request.body.prompt);
      const maxTokens = request.body.max_tokens ?? 1024;
      const generated = simulateGeneration(profile, maxTokens, deps.latencyScale, random);
      // Runaway: the model ignores max_tokens and rambles on, as a looping prompt makes real models do.
      // Runaway: the model ignores max_tokens and rambles — ten times its usual answer, and never less than the cap,
      // so every answer comes back cut off ("length") and billed long.
      const outputTokens = faults.state.runawayCost
        ? Math.max(maxTokens, generated.outputTokens * 10)
        : generated.outputTokens;
      const latencyMs = faults.state.runawayCost ? generated.latencyMs * 3 : generated.latencyMs;
      await sleep(latencyMs);
      trace.getActiveSpan()?.setAttributes({
        "gen_ai.operation.name": "text_completion",
        "gen_ai.request.model": profile.name,
        "gen_ai.usage.input_tokens": inputTokens,
        "gen_ai.usage.output_tokens": outputTokens,
      });
      faults.guard("database");
      await stores.pool.query(
        "INSERT INTO inferences (model, input_tokens, output_tokens, latency_ms) VALUES ($1, $2, $3, $4)",
        [profile.name, inputTokens, outputTokens, Math.round(latencyMs)],
      );
      return {
        model: profile.name,
        deployment: deployment ?? "shared-pool",
        output: `[${profile.name}] ${outputTokens} tokens of generated text`,
        // As OpenAI-style APIs report it: "length" when generation stopped at max_tokens, the answer cut off.
        finish_reason: outputTokens >= maxTokens ? "length" : "stop",
        usage: { input_tokens: inputTokens, output_tokens: outputTokens },
        latency_ms: Math.round(latencyMs),
      };
    },
  );

  app.post<{ Body: { model: string; replicas?: number } }>(
    "/v1/deployments",
    {
      schema: {
        body: {
          type: "object",
          required: ["model"],
          properties: {
            model: { type: "string", maxLength: 100 },
            replicas: { type: "integer", minimum: 1, maximum: 16 },
          },
        },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const profile = model(request.body.model);
      if (!profile || profile.provider !== "neuroweaver") {
        return reply.code(404).send({ error: "not_found", message: "unknown model" });
      }
      // A rollout takes a moment, and about one in twenty fails its readiness gate.
      await sleep((50 + random() * 250) * deps.latencyScale);
      const status = random() < 0.05 ? "failure" : "success";
      const id = randomUUID();
      faults.guard("database");
      await stores.pool.query("INSERT INTO deployments (id, model, replicas, status) VALUES ($1, $2, $3, $4)", [
        id,
        profile.name,
        request.body.replicas ?? 1,
        status,
      ]);
      if (status === "success") {
        faults.guard("redis");
        await stores.redis.set(`nw:deployment:${profile.name}`, id, "EX", 60);
      }
      instrumentation.metrics.modelDeployments.inc({ model: profile.name, status });
      return reply.code(201).send({ id, model: profile.name, status });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/v1/deployments/:id",
    {
      schema: {
        params: { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      faults.guard("database");
      const removed = await stores.pool.query<{ id: string; model: string }>(
        "UPDATE deployments SET status = 'removed' WHERE id = $1 AND status <> 'removed' RETURNING id, model",
        [request.params.id],
      );
      const row = removed.rows[0];
      if (!row) return reply.code(404).send({ error: "not_found", message: "no such deployment (or already removed)" });
      faults.guard("redis");
      // The model's cached active deployment must not point at a removed one.
      if ((await stores.redis.get(`nw:deployment:${row.model}`)) === row.id)
        await stores.redis.del(`nw:deployment:${row.model}`);
      return { id: row.id, model: row.model, status: "removed" };
    },
  );

  app.get("/v1/deployments", async () => {
    faults.guard("database");
    const rows = await stores.pool.query(
      "SELECT id, model, replicas, status, created_at FROM deployments ORDER BY created_at DESC LIMIT 20",
    );
    return { deployments: rows.rows };
  });

  app.get("/v1/models", () => ({
    models: MODELS.filter((m) => m.provider === "neuroweaver").map((m) => ({
      name: m.name,
      capabilities: m.capabilities,
    })),
  }));

  app.setErrorHandler(async (error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
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
