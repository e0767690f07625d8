/** Request and response schemas of the admin API (every route declares all of its replies, errors included). */
import { errorSchema } from "../schemas.js";

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

const matcher = {
  type: "object",
  additionalProperties: false,
  required: ["name", "value"],
  properties: {
    name: { type: "string", pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$" },
    value: { type: "string", maxLength: 1000 },
    isRegex: { type: "boolean", default: false },
    isEqual: { type: "boolean", default: true },
  },
} as const;

export const silenceSchema = {
  description: "An Alertmanager silence.",
  type: "object",
  required: ["id", "matchers", "startsAt", "endsAt", "createdBy", "comment", "state"],
  properties: {
    id: { type: "string" },
    matchers: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "value", "isRegex", "isEqual"],
        properties: {
          name: { type: "string" },
          value: { type: "string" },
          isRegex: { type: "boolean" },
          isEqual: { type: "boolean" },
        },
      },
    },
    startsAt: { type: "string" },
    endsAt: { type: "string" },
    createdBy: { type: "string" },
    comment: { type: "string" },
    state: { type: "string", enum: ["active", "pending", "expired"] },
  },
} as const;

export const createSilenceBody = {
  type: "object",
  additionalProperties: false,
  required: ["matchers", "end", "comment"],
  properties: {
    matchers: { type: "array", items: matcher, minItems: 1, maxItems: 20 },
    start: { ...dateTime, description: "Default: now." },
    end: dateTime,
    comment: { type: "string", minLength: 1, maxLength: 300 },
  },
} as const;

export const silenceIdParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[0-9a-fA-F-]{1,64}$" } },
} as const;

/** The replies every admin route may give besides its success: bad request, no/invalid token, no write claim, … */
export const adminErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  503: errorSchema,
} as const;
