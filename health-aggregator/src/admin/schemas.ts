/**
 * Request and response schemas of the admin API's silences, and the errors every admin route declares (the
 * maintenance routes' own schemas are in maintenance/schemas.ts).
 */
import { errorSchema } from "../api/schemas.js";

const dateTime = { type: "string", format: "date-time" } as const;

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
