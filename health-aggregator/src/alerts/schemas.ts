/**
 * Alertmanager's webhook payload (version 4) and the alert history's reply: only the fields Lookout keeps are
 * declared; the rest of a notification is ignored.
 */

export const webhookBody = {
  type: "object",
  required: ["status", "alerts"],
  properties: {
    status: { type: "string", enum: ["firing", "resolved"] },
    alerts: {
      type: "array",
      maxItems: 1000,
      items: {
        type: "object",
        required: ["status", "labels", "startsAt"],
        properties: {
          status: { type: "string", enum: ["firing", "resolved"] },
          labels: { type: "object", required: ["alertname"], additionalProperties: { type: "string" } },
          annotations: { type: "object", additionalProperties: { type: "string" } },
          startsAt: { type: "string", format: "date-time" },
          endsAt: { type: "string" },
          fingerprint: { type: "string", maxLength: 64 },
        },
      },
    },
  },
} as const;

export const alertsSchema = {
  description: "Alert instances from Alertmanager's notifications, newest first.",
  type: "object",
  required: ["alerts"],
  properties: {
    alerts: {
      type: "array",
      items: {
        type: "object",
        required: ["fingerprint", "status", "alertname", "severity", "startsAt", "endsAt", "summary"],
        properties: {
          fingerprint: { type: "string" },
          status: { type: "string", enum: ["firing", "resolved"] },
          alertname: { type: "string" },
          severity: { type: "string" },
          service: { type: ["string", "null"] },
          summary: { type: "string" },
          startsAt: { type: "string" },
          endsAt: { type: ["string", "null"] },
        },
      },
    },
  },
} as const;
