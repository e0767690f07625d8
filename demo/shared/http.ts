/** The fault hooks and the `/admin/faults` endpoint, for the Express and the Fastify demo services. */
import type { Express, NextFunction, Request, Response } from "express";
import type { FastifyInstance } from "fastify";
import { bearerMatches } from "@lookout/instrumentation";
import type { FaultInjector } from "./faults.js";

const injected = { error: "internal", message: "injected fault" } as const;

function adminAnswer(faults: FaultInjector, method: string, body: unknown): { status: number; body: object } {
  if (method === "DELETE") {
    faults.reset();
    return { status: 200, body: faults.state };
  }
  if (method === "POST") {
    const problem = faults.update(body);
    return problem
      ? { status: 400, body: { error: "bad_request", message: problem } }
      : { status: 200, body: faults.state };
  }
  return { status: 200, body: faults.state };
}

const unauthorizedBody = { error: "unauthorized", message: "admin endpoints require an Authorization: Bearer token" };

/** Express: the fault middleware (install right after the metrics middleware) and /admin/faults. */
export function installExpressFaults(app: Express, faults: FaultInjector, adminToken: string): void {
  app.use((request: Request, response: Response, next: NextFunction) => {
    faults
      .admit(request.path, () => response.destroy())
      .then((verdict) => {
        if (verdict === "continue") next();
        else if (verdict === "error") response.status(500).json(injected);
      }, next);
  });
  app.all("/admin/faults", (request, response) => {
    if (!bearerMatches(request.headers.authorization, adminToken)) {
      response.status(401).set("www-authenticate", 'Bearer realm="admin"').json(unauthorizedBody);
      return;
    }
    const answer = adminAnswer(faults, request.method, request.body);
    response.status(answer.status).json(answer.body);
  });
}

/** Fastify: the fault hook and /admin/faults. */
export function installFastifyFaults(app: FastifyInstance, faults: FaultInjector, adminToken: string): void {
  app.addHook("onRequest", async (request, reply) => {
    const verdict = await faults.admit(request.url, () => request.raw.socket.destroy());
    if (verdict === "hang") return new Promise<void>(() => {}); // answered never; the socket is closed on reset
    if (verdict === "error") return reply.code(500).send(injected);
  });
  app.route({
    method: ["GET", "POST", "DELETE"],
    url: "/admin/faults",
    handler: async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, adminToken)) {
        return reply.code(401).header("www-authenticate", 'Bearer realm="admin"').send(unauthorizedBody);
      }
      const answer = adminAnswer(faults, request.method, request.body);
      return reply.code(answer.status).send(answer.body);
    },
  });
}
