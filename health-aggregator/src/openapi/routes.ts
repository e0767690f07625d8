/**
 * The OpenAPI 3.1 document of the aggregator's HTTP interface, generated from the routes' own schemas by
 * @fastify/swagger (dynamic mode: it collects every route registered after it) and served at GET /api/openapi.json.
 *
 * The document is public, like the read API it describes (/api/v1/status and the other reads answer without
 * credentials): it holds the shape of every route, no data, no token and no config value, so a dashboard can
 * discover the API before it has a credential for the protected routes.
 */
import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { operation, SECURITY_SCHEMES, TAGS } from "./operation.js";

export const OPENAPI_ROUTE = "/api/openapi.json";

/** Registers the generator; call it before any route is registered (it sees only the routes added after it). */
export function registerOpenApi(app: FastifyInstance, version: string): void {
  app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Lookout health aggregator",
        version,
        description:
          "Polls every service and dependency, keeps uptime history, serves the public status page and exports " +
          "Prometheus metrics. docs/health-aggregator.md describes each route.",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      },
      tags: TAGS.map((tag) => ({ ...tag })),
      components: { securitySchemes: SECURITY_SCHEMES },
    },
  });
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  let body: string | undefined;
  app.get(
    OPENAPI_ROUTE,
    {
      schema: {
        ...operation("getOpenApiDocument", "documents", "none", "This document (OpenAPI 3.1)"),
        response: { 200: { description: "The OpenAPI document.", type: "object", additionalProperties: true } },
      },
    },
    async (_request, reply) => {
      // Sent as a ready string: the routes cannot change once the app is listening.
      body ??= JSON.stringify(app.swagger());
      return reply.type("application/json; charset=utf-8").send(body);
    },
  );
}
