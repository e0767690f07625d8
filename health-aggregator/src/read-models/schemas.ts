/** Reply schemas of the read models (status.ts, history.ts): the public API's status, history and incidents. */

const status = { type: "string", enum: ["healthy", "degraded", "unhealthy"] } as const;
const nullableNumber = { type: ["number", "null"] } as const;

const incident = {
  type: "object",
  required: ["id", "targetId", "startedAt", "endedAt", "rootCause", "affected", "summary", "maintenance"],
  properties: {
    id: { type: "integer" },
    targetId: { type: "string" },
    startedAt: { type: "string", format: "date-time" },
    endedAt: { type: ["string", "null"] },
    rootCause: { type: "string" },
    affected: { type: "array", items: { type: "string" } },
    summary: { type: "string" },
    maintenance: { type: "boolean", description: "Opened while the target was in a maintenance window." },
  },
} as const;

export const incidentsSchema = {
  description: "Incidents, newest first.",
  type: "object",
  required: ["incidents"],
  properties: { incidents: { type: "array", items: incident } },
} as const;

export const statusSchema = {
  description: "Every public target's current state (every target with public_status.details).",
  type: "object",
  required: ["generatedAt", "targets"],
  properties: {
    generatedAt: { type: "string" },
    targets: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "name", "system", "status", "since", "lastCheckAt", "instances", "dependsOn"],
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          system: { type: "string" },
          status: { type: "string", enum: ["healthy", "degraded", "unhealthy", "unknown"] },
          since: { type: ["string", "null"] },
          lastCheckAt: { type: ["string", "null"] },
          latencyMs: nullableNumber,
          error: { type: "string" },
          rootCause: { type: "string" },
          serving: { type: "string" },
          dependsOn: { type: "array", items: { type: "string" } },
          labels: { type: "object", additionalProperties: { type: "string" } },
          instances: {
            type: "array",
            items: {
              type: "object",
              required: ["name", "role", "status"],
              properties: {
                name: { type: "string" },
                role: { type: "string" },
                status: { type: "string", enum: ["healthy", "degraded", "unhealthy", "unknown"] },
                latencyMs: nullableNumber,
                error: { type: "string" },
                dependencies: {
                  type: "object",
                  additionalProperties: { type: "object", properties: { status, responseTime: { type: "number" } } },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const historySchema = {
  description: "The target's availability, time per state, latency percentiles and incidents over the window.",
  type: "object",
  required: ["targetId", "window", "from", "to", "availability", "latency", "incidents"],
  properties: {
    targetId: { type: "string" },
    window: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    availability: nullableNumber,
    upSeconds: { type: "number" },
    degradedSeconds: { type: "number" },
    downSeconds: { type: "number" },
    maintenanceSeconds: { type: "number" },
    noDataSeconds: { type: "number" },
    latency: {
      type: "object",
      properties: { p50: nullableNumber, p95: nullableNumber, p99: nullableNumber, checks: { type: "integer" } },
    },
    incidents: { type: "array", items: incident },
  },
} as const;
