/** Request and response schemas of the maintenance windows' routes (routes.ts). */

const id = { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,63}$" } as const;
const dateTime = { type: "string", format: "date-time" } as const;

export const windowSchema = {
  description: "A maintenance window.",
  type: "object",
  required: [
    "id",
    "state",
    "start",
    "end",
    "endedEarly",
    "targets",
    "systems",
    "reason",
    "createdBy",
    "createdAt",
    "silenceIds",
  ],
  properties: {
    id: { type: "integer" },
    state: { type: "string", enum: ["active", "upcoming", "past"] },
    start: dateTime,
    end: dateTime,
    endedEarly: { type: "boolean" },
    targets: { type: "array", items: { type: "string" } },
    systems: { type: "array", items: { type: "string" } },
    reason: { type: "string" },
    createdBy: { type: "string" },
    createdAt: dateTime,
    silenceIds: { type: "array", items: { type: "string" } },
    warnings: { type: "array", items: { type: "string" } },
  },
} as const;

export const createWindowBody = {
  type: "object",
  additionalProperties: false,
  required: ["end", "reason"],
  properties: {
    targets: { type: "array", items: id, maxItems: 10_000, uniqueItems: true },
    systems: {
      type: "array",
      items: { type: "string", minLength: 1, maxLength: 120 },
      maxItems: 100,
      uniqueItems: true,
    },
    start: { ...dateTime, description: "Default: now." },
    end: dateTime,
    reason: { type: "string", minLength: 1, maxLength: 300 },
  },
} as const;

export const windowIdParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "integer", minimum: 1 } },
} as const;
