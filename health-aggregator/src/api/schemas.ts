/**
 * Schemas shared by every route module: the error reply (every route declares its errors with it) and the
 * aggregator's own /health. Fastify validates requests and serialises replies with them, and the OpenAPI document
 * is generated from them (openapi/routes.ts).
 */

const status = { type: "string", enum: ["healthy", "degraded", "unhealthy"] } as const;

export const errorSchema = {
  description: "An error: a code (`not_found`, `unauthorized`, …) and what was wrong.",
  type: "object",
  required: ["error", "message"],
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

export const healthSchema = {
  description: "The aggregator's own health: its state, dependencies and request figures of the last minute.",
  type: "object",
  required: ["status", "timestamp", "uptime", "version", "dependencies", "metrics"],
  properties: {
    status,
    timestamp: { type: "string", format: "date-time" },
    uptime: { type: "number" },
    version: { type: "string" },
    dependencies: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["status", "responseTime"],
        properties: { status, responseTime: { type: "number" } },
      },
    },
    metrics: {
      type: "object",
      required: ["requestsPerMinute", "errorRate", "avgResponseTime"],
      properties: {
        requestsPerMinute: { type: "number" },
        errorRate: { type: "number" },
        avgResponseTime: { type: "number" },
      },
    },
  },
} as const;
