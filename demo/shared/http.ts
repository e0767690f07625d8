/** The fault middleware and the `/admin/faults` endpoint of RelayCore (Express); the Python services have theirs in
 * demo/python/lookout_demo/faults_http.py. */
import type { Express, NextFunction, Request, Response } from "express";
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
