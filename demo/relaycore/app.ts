/**
 * RelayCore stand-in: the AI request router, on Express as in production.
 *
 *   POST /v1/completions  {prompt, task?, priority?, max_tokens?, workflow_id?, user_id?}
 *        → routes to a model (routing.ts), checks the budget, calls NeuroWeaver, falls back to the external provider
 *          when NeuroWeaver fails, records cost and spend
 *   GET  /v1/budget       today's and this month's spend against the budgets
 *
 * Budgets and spend are also gauges, `ai_budget_dollars{period}` and `ai_budget_spent_dollars{period}` (period: daily,
 * monthly), so alert rules can project the spend rate past the budget (alerts/rules/ai-cost.yml).
 *
 * Spend counters live in Redis (one key per day and per month), every call in PostgreSQL (database `relaycore`).
 * Each provider call is a span named `<operation> <model>` carrying the GenAI attributes, recorded by the
 * instrumentation's recordAiCall() together with the AI metrics.
 */
import type { Span } from "@opentelemetry/api";
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from "@opentelemetry/semantic-conventions";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { request } from "undici";
import type { AiOutcome, HealthMonitor, Instrumentation } from "@lookout/instrumentation";
import { callSpan, installExpress, redisTransaction } from "@lookout/instrumentation";
import { FaultError, FaultInjector } from "../shared/faults.js";
import { installExpressFaults } from "../shared/http.js";
import { costUsd, countTokens, type ModelProfile, simulateGeneration, sleep, type Task } from "../shared/models.js";
import type { DemoSettings } from "../shared/settings.js";
import type { Stores } from "../shared/stores.js";
import { fallbackModel, type Priority, type Selection, selectModel } from "./routing.js";

export const RELAYCORE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ai_requests (
     id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), model text NOT NULL,
     provider text NOT NULL, reason text NOT NULL, input_tokens integer NOT NULL, output_tokens integer NOT NULL,
     cost_usd numeric(12, 8) NOT NULL, workflow_id text, user_hash text)`,
];

export interface RelayCoreDeps {
  instrumentation: Instrumentation;
  settings: DemoSettings;
  stores: Stores;
  faults: FaultInjector;
  /** Started by the caller (it checks the stores and downstream services in the background). */
  health: HealthMonitor;
  neuroweaverUrl: string;
  dailyBudgetUsd: number;
  monthlyBudgetUsd: number;
  /**
   * The longest wait for NeuroWeaver before failing over. Each call waits less when its model and max_tokens should
   * answer sooner (upstreamDeadlineMs): a fixed timeout either cuts off healthy long answers or waits far too long for
   * short ones.
   */
  upstreamTimeoutMs: number;
  /** Multiplies the simulated latency of the external provider. */
  latencyScale: number;
  now?: () => Date;
}

/**
 * How long one NeuroWeaver call may take before RelayCore gives up and fails over: 1.5× the slowest healthy answer the
 * model can give for this max_tokens (a slow first token, then every token), at least 15 s, at most `capMs`. A flat
 * 5 s cut off healthy long answers (2–4% of calls failed over for nothing), and a deadline as short as a short
 * call's normal time turns every slowdown of NeuroWeaver into aborted requests, which its latency metrics then cannot
 * see (an abandoned request is recorded at the moment it was abandoned).
 */
export const MIN_UPSTREAM_DEADLINE_MS = 15_000;

export function upstreamDeadlineMs(
  profile: ModelProfile,
  maxTokens: number,
  latencyScale: number,
  capMs: number,
): number {
  const slowestHealthyMs = (profile.firstTokenMs * 3 + maxTokens * profile.perTokenMs) * latencyScale;
  return Math.min(capMs, Math.max(MIN_UPSTREAM_DEADLINE_MS, Math.ceil(1.5 * slowestHealthyMs)));
}

export function relayCoreFaults(): FaultInjector {
  return new FaultInjector(["primaryOutage", "runawayCost"], ["database", "redis", "neuroweaver"]);
}

const TASKS: readonly Task[] = ["chat", "classify", "summarize", "extract"];
const PRIORITIES: readonly Priority[] = ["cost", "latency", "quality"];

interface CompletionRequest {
  prompt: string;
  task: Task;
  priority: Priority | undefined;
  maxTokens: number;
  workflowId: string | undefined;
  userId: string | undefined;
}

class BadRequest extends Error {}

function parseCompletion(body: unknown): CompletionRequest {
  if (typeof body !== "object" || body === null) throw new BadRequest("body must be a JSON object");
  const b = body as Record<string, unknown>;
  if (typeof b.prompt !== "string" || b.prompt.length === 0 || b.prompt.length > 100_000) {
    throw new BadRequest("prompt must be a string of 1–100000 characters");
  }
  const task = b.task ?? "chat";
  if (!TASKS.includes(task as Task)) throw new BadRequest(`task must be one of ${TASKS.join(", ")}`);
  if (b.priority !== undefined && !PRIORITIES.includes(b.priority as Priority)) {
    throw new BadRequest(`priority must be one of ${PRIORITIES.join(", ")}`);
  }
  const maxTokens = b.max_tokens ?? 1024;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > 8192) {
    throw new BadRequest("max_tokens must be an integer 1–8192");
  }
  for (const key of ["workflow_id", "user_id"] as const) {
    if (b[key] !== undefined && (typeof b[key] !== "string" || b[key].length > 200)) {
      throw new BadRequest(`${key} must be a string of at most 200 characters`);
    }
  }
  return {
    prompt: b.prompt,
    task: task as Task,
    priority: b.priority as Priority | undefined,
    maxTokens,
    workflowId: b.workflow_id as string | undefined,
    userId: b.user_id as string | undefined,
  };
}

interface ProviderAnswer {
  output: string;
  inputTokens: number;
  outputTokens: number;
  /** "stop", or "length" when the answer was cut off at max_tokens. */
  finishReason: string;
}

class ProviderError extends Error {
  constructor(
    message: string,
    readonly outcome: AiOutcome,
  ) {
    super(message);
  }
}

export function buildRelayCore(deps: RelayCoreDeps): Express {
  const { instrumentation, stores, faults } = deps;
  const now = deps.now ?? (() => new Date());
  const upstream = new URL(deps.neuroweaverUrl);
  const neuroweaverAddress = {
    [ATTR_SERVER_ADDRESS]: upstream.hostname,
    [ATTR_SERVER_PORT]: Number(upstream.port || (upstream.protocol === "https:" ? 443 : 80)),
  };
  const app = express();
  app.disable("x-powered-by");
  installExpress(app, instrumentation, deps.health);
  app.use(express.json({ limit: "256kb" }));
  installExpressFaults(app, faults, deps.settings.adminToken);

  // The budget gauges are the contract's (instrumentation/contract.json): the cost dashboard and budget alerts read them.
  const budgetGauge = instrumentation.metrics.aiBudget;
  const spentGauge = instrumentation.metrics.aiBudgetSpent;
  budgetGauge.set({ period: "daily" }, deps.dailyBudgetUsd);
  budgetGauge.set({ period: "monthly" }, deps.monthlyBudgetUsd);

  const spendKeys = () => {
    const day = now().toISOString().slice(0, 10);
    return { day: `rc:spend:day:${day}`, month: `rc:spend:month:${day.slice(0, 7)}` };
  };

  const spend = async (): Promise<{ day: number; month: number }> => {
    faults.guard("redis");
    const keys = spendKeys();
    const [day, month] = await stores.redis.mget(keys.day, keys.month);
    const spent = { day: Number(day ?? 0), month: Number(month ?? 0) };
    spentGauge.set({ period: "daily" }, spent.day);
    spentGauge.set({ period: "monthly" }, spent.month);
    return spent;
  };

  /** One MULTI, traced as one span (six otherwise: one per queued command). */
  const addSpend = async (usd: number): Promise<void> => {
    faults.guard("redis");
    const keys = spendKeys();
    await redisTransaction(
      ["INCRBYFLOAT", "EXPIRE", "INCRBYFLOAT", "EXPIRE"],
      () =>
        stores.redis
          .multi()
          .incrbyfloat(keys.day, usd)
          .expire(keys.day, 2 * 86_400)
          .incrbyfloat(keys.month, usd)
          .expire(keys.month, 32 * 86_400)
          .exec(),
      stores.redis.options,
    );
    spentGauge.inc({ period: "daily" }, usd);
    spentGauge.inc({ period: "monthly" }, usd);
  };

  const callNeuroWeaver = async (
    profile: ModelProfile,
    req: CompletionRequest,
    span: Span,
    traceHeaders: Record<string, string>,
  ): Promise<ProviderAnswer> => {
    if (faults.state.primaryOutage) throw new ProviderError("primary provider unreachable (injected fault)", "error");
    try {
      faults.guard("neuroweaver");
    } catch (error) {
      throw new ProviderError((error as Error).message, "error");
    }
    const deadline = upstreamDeadlineMs(profile, req.maxTokens, deps.latencyScale, deps.upstreamTimeoutMs);
    let response;
    try {
      response = await request(`${deps.neuroweaverUrl}/v1/inference`, {
        method: "POST",
        headers: { ...traceHeaders, "content-type": "application/json" },
        body: JSON.stringify({ model: profile.name, prompt: req.prompt, max_tokens: req.maxTokens }),
        headersTimeout: deadline,
        bodyTimeout: deadline,
      });
    } catch (error) {
      const timedOut = /timeout/i.test((error as Error).name + (error as Error).message);
      throw new ProviderError(`neuroweaver: ${(error as Error).message}`, timedOut ? "timeout" : "error");
    }
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new ProviderError(`neuroweaver answered ${response.statusCode}`, "error");
    }
    const body = (await response.body.json()) as {
      output: string;
      finish_reason?: string;
      usage: { input_tokens: number; output_tokens: number };
    };
    return {
      output: body.output,
      inputTokens: body.usage.input_tokens,
      outputTokens: body.usage.output_tokens,
      finishReason: body.finish_reason ?? "stop",
    };
  };

  /** The secondary provider, simulated in-process (an external API in production). */
  const callExternal = async (profile: ModelProfile, req: CompletionRequest): Promise<ProviderAnswer> => {
    const generated = simulateGeneration(profile, req.maxTokens, deps.latencyScale);
    await sleep(generated.latencyMs);
    return {
      output: `[${profile.name}] ${generated.outputTokens} tokens of generated text`,
      inputTokens: countTokens(req.prompt),
      outputTokens: generated.outputTokens,
      finishReason: generated.outputTokens >= req.maxTokens ? "length" : "stop",
    };
  };

  /**
   * One provider call as a GenAI client span, recorded once in span and metrics. The span stands for the HTTP call to
   * NeuroWeaver too (callSpan: no undici span under it; NeuroWeaver's server span is its child), with the address and
   * the status code the GenAI conventions name.
   */
  const attempt = (selection: Selection, req: CompletionRequest) =>
    callSpan(
      `${req.task === "chat" ? "chat" : "text_completion"} ${selection.model.name}`,
      selection.model.provider === "neuroweaver" ? neuroweaverAddress : {},
      async (span, traceHeaders) => {
        const { model } = selection;
        instrumentation.metrics.aiModelSelections.inc({
          model: model.name,
          provider: model.provider,
          reason: selection.reason,
        });
        span.setAttribute("relaycore.selection.reason", selection.reason);
        try {
          const answer =
            model.provider === "neuroweaver"
              ? await callNeuroWeaver(model, req, span, traceHeaders)
              : await callExternal(model, req);
          // Runaway: a pricing or prompt-loop bug bills every call 25 times over.
          const cost = costUsd(model, answer.inputTokens, answer.outputTokens) * (faults.state.runawayCost ? 25 : 1);
          instrumentation.recordAiCall(
            {
              operation: req.task === "chat" ? "chat" : "text_completion",
              provider: model.provider,
              requestModel: model.name,
              inputTokens: answer.inputTokens,
              outputTokens: answer.outputTokens,
              costUsd: cost,
              outcome: "success",
              workflowId: req.workflowId,
              userId: req.userId,
            },
            span,
          );
          return { answer, cost };
        } catch (error) {
          const outcome = error instanceof ProviderError ? error.outcome : "error";
          instrumentation.recordAiCall(
            {
              operation: req.task === "chat" ? "chat" : "text_completion",
              provider: model.provider,
              requestModel: model.name,
              inputTokens: 0,
              outputTokens: 0,
              costUsd: 0,
              outcome,
              workflowId: req.workflowId,
              userId: req.userId,
            },
            span,
          );
          throw error; // callSpan marks the span as failed with the error's message, and ends it
        }
      },
    );

  app.post("/v1/completions", async (request_: Request, response: Response) => {
    const req = parseCompletion(request_.body);
    const spent = await spend();
    if (spent.day >= deps.dailyBudgetUsd || spent.month >= deps.monthlyBudgetUsd) {
      instrumentation.metrics.aiRequests.inc({ model: "none", provider: "none", outcome: "rejected" });
      response.status(429).json({ error: "budget_exceeded", message: "the daily or monthly AI budget is spent" });
      return;
    }
    const budgetUsed = Math.max(spent.day / deps.dailyBudgetUsd, spent.month / deps.monthlyBudgetUsd);
    let selection = selectModel(req.task, req.priority, budgetUsed);
    let result: { answer: ProviderAnswer; cost: number };
    try {
      result = await attempt(selection, req);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      instrumentation.logger.warn(
        { model: selection.model.name, reason: error.message },
        "primary provider failed; falling back",
      );
      selection = { model: fallbackModel(), reason: "fallback" };
      result = await attempt(selection, req);
    }
    await addSpend(result.cost);
    faults.guard("database");
    await stores.pool.query(
      `INSERT INTO ai_requests (model, provider, reason, input_tokens, output_tokens, cost_usd, workflow_id, user_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        selection.model.name,
        selection.model.provider,
        selection.reason,
        result.answer.inputTokens,
        result.answer.outputTokens,
        result.cost,
        req.workflowId ?? null,
        req.userId ? instrumentation.users.hash(req.userId) : null,
      ],
    );
    response.json({
      model: selection.model.name,
      provider: selection.model.provider,
      reason: selection.reason,
      output: result.answer.output,
      finish_reason: result.answer.finishReason,
      usage: { input_tokens: result.answer.inputTokens, output_tokens: result.answer.outputTokens },
      cost_usd: result.cost,
    });
  });

  app.get("/v1/budget", async (_request, response) => {
    const spent = await spend();
    response.json({
      daily: { spent_usd: spent.day, budget_usd: deps.dailyBudgetUsd },
      monthly: { spent_usd: spent.month, budget_usd: deps.monthlyBudgetUsd },
    });
  });

  app.use((_request: Request, response: Response) => {
    response.status(404).json({ error: "not_found", message: "no such route" });
  });

  // Express 5 forwards rejected promises here. Only the error's class and message are logged: never the request.
  app.use(
    (error: Error & { status?: number; type?: string }, _request: Request, response: Response, _next: NextFunction) => {
      if (error instanceof BadRequest || (error.status !== undefined && error.status < 500)) {
        response.status(error.status ?? 400).json({
          error: "bad_request",
          message: error instanceof BadRequest ? error.message : "invalid request body",
        });
        return;
      }
      const status = error instanceof FaultError ? 503 : 502;
      instrumentation.logger.error({ err: { type: error.name, message: error.message } }, "request failed");
      response.status(status).json({ error: "upstream", message: "the request could not be served" });
    },
  );

  return app;
}
