/**
 * HTTP metrics middleware and the /metrics and /health endpoints, for Express and for Fastify. Both frameworks feed the
 * same recordRequest(), so the two can never label differently. Nothing here imports a framework at run time (types
 * only): the instrumentation must be loaded before the framework for auto-instrumentation to patch it.
 */
import type { Express, NextFunction, Request, Response } from "express";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { bearerMatches, unauthorized } from "./auth.js";
import { CONTRACT } from "./contract.js";
import type { HealthMonitor } from "./health.js";
import { methodLabel, type ServiceMetrics } from "./metrics.js";
import { type ServerSpans, withServerSpan } from "./server-span.js";
import type { RequestWindow } from "./window.js";

/** The label of requests no route took: never the raw path. */
export const UNMATCHED_ROUTE = CONTRACT.unmatchedRoute;

/** Probes and scrapes would dominate the health window's figures; they are counted in the metrics only. */
const OUT_OF_WINDOW = new Set(CONTRACT.untracedPaths);

export interface HttpTelemetry {
  /** False: no metrics middleware and no /metrics (the uninstrumented baseline). */
  enabled: boolean;
  metrics: ServiceMetrics;
  window: RequestWindow;
  metricsToken: string;
  /** Express server spans made by the middleware (instrument({ expressServerSpans: true })); undefined otherwise. */
  serverSpans?: ServerSpans | undefined;
}

/** Records one finished request in the metrics and the health window. */
export function recordRequest(
  t: HttpTelemetry,
  method: string,
  route: string,
  statusCode: number,
  seconds: number,
): void {
  const labels = [method, route, String(statusCode)];
  t.metrics.httpRequests.add(labels);
  t.metrics.httpDuration.record(labels, seconds);
  if (!OUT_OF_WINDOW.has(route)) t.window.record(seconds * 1000, statusCode >= 500);
}

async function metricsAnswer(
  t: HttpTelemetry,
  authorization: string | undefined,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  if (!bearerMatches(authorization, t.metricsToken)) {
    const denied = unauthorized("metrics");
    return {
      status: denied.status,
      headers: { ...denied.headers, "content-type": "application/json" },
      body: JSON.stringify(denied.body),
    };
  }
  const { contentType, body } = await t.metrics.exposition();
  return { status: 200, headers: { "content-type": contentType }, body };
}

/** /health answers 503 when unhealthy (load balancers take that as "out"), 200 otherwise (the contract's httpStatus). */
function healthStatusCode(status: string): number {
  return CONTRACT.health.httpStatus[status] ?? 503;
}

// ---------------------------------------------------------------------------------------------------------------
// Express

/** The route template Express matched, with its router's mount path; `unmatched` when none did. */
export function expressRoute(request: Request): string {
  const path = (request.route as { path?: string | RegExp | (string | RegExp)[] } | undefined)?.path;
  if (path === undefined) return UNMATCHED_ROUTE;
  const template = Array.isArray(path) ? path.map(String).join("|") : String(path);
  return `${request.baseUrl}${template}`;
}

/**
 * Express middleware for http_requests_total, http_request_duration_seconds and http_requests_in_flight, and the
 * request's server span when t.serverSpans makes them.
 */
export function expressMetrics(t: HttpTelemetry) {
  const spans = t.serverSpans;
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const method = methodLabel(request.method);
    t.metrics.requestStarted(method);
    const span = spans?.start(request);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      t.metrics.requestFinished(method);
      const route = expressRoute(request);
      // A client that went away before the answer: 499, as nginx logs it.
      const status = response.writableFinished ? response.statusCode : 499;
      recordRequest(t, method, route, status, Number(process.hrtime.bigint() - started) / 1e9);
      if (span) spans!.end(span, response, route === UNMATCHED_ROUTE ? undefined : route);
    };
    response.once("finish", finish);
    response.once("close", finish);
    if (span) withServerSpan(span, request, next);
    else next();
  };
}

/** Adds the metrics middleware (call first, before other middleware and routes) and GET /metrics and /health. */
export function installExpress(app: Express, t: HttpTelemetry, health: HealthMonitor): void {
  if (t.enabled) installExpressMetrics(app, t);
  app.get("/health", (_request, response) => {
    const report = health.report();
    response.status(healthStatusCode(report.status)).json(report);
  });
}

function installExpressMetrics(app: Express, t: HttpTelemetry): void {
  app.use(expressMetrics(t));
  app.get("/metrics", (request, response, next) => {
    metricsAnswer(t, request.headers.authorization).then(
      (answer) => response.status(answer.status).set(answer.headers).send(answer.body),
      next,
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Fastify

const startedAt = Symbol("lookout.startedAt");
type Timed = { [startedAt]?: bigint };

/** Adds the metrics hooks and GET /metrics and /health to a Fastify instance (the root instance: hooks apply to all). */
export function installFastify(app: FastifyInstance, t: HttpTelemetry, health: HealthMonitor): void {
  if (t.enabled) installFastifyMetrics(app, t);
  app.get("/health", async (_request, reply) => {
    const report = health.report();
    return reply.code(healthStatusCode(report.status)).send(report);
  });
}

function installFastifyMetrics(app: FastifyInstance, t: HttpTelemetry): void {
  app.addHook("onRequest", (request, _reply, done) => {
    (request as Timed)[startedAt] = process.hrtime.bigint();
    t.metrics.requestStarted(methodLabel(request.method));
    done();
  });
  const finish = (request: FastifyRequest, status: number) => {
    const started = (request as Timed)[startedAt];
    if (started === undefined) return;
    delete (request as Timed)[startedAt];
    const method = methodLabel(request.method);
    t.metrics.requestFinished(method);
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    recordRequest(t, method, route, status, Number(process.hrtime.bigint() - started) / 1e9);
  };
  app.addHook("onResponse", (request, reply, done) => {
    finish(request, reply.statusCode);
    done();
  });
  app.addHook("onRequestAbort", (request, done) => {
    finish(request, 499);
    done();
  });
  app.get("/metrics", async (request, reply) => {
    const answer = await metricsAnswer(t, request.headers.authorization);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
}
