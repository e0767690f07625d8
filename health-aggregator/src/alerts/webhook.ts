/**
 * From Alertmanager's notification to the alert history's records. Only the alert name, severity, service and the
 * summary annotation are kept (the rules write those without PII); other labels and annotations are dropped.
 */
import { createHash } from "node:crypto";
import type { AlertRecord } from "../store/types.js";

/** An alert as Alertmanager's webhook sends it (the fields Lookout reads; alerts/schemas.ts's webhookBody). */
export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint?: string;
}

export function alertRecord(a: WebhookAlert): AlertRecord {
  const startsAt = Date.parse(a.startsAt);
  const endsAt = a.endsAt ? Date.parse(a.endsAt) : NaN;
  return {
    // Alertmanager sends a fingerprint; without one, the label set identifies the alert.
    fingerprint:
      a.fingerprint ??
      createHash("sha256")
        .update(JSON.stringify(Object.entries(a.labels).sort()))
        .digest("hex")
        .slice(0, 16),
    startsAt,
    // Alertmanager sends 0001-01-01 for "not ended".
    endsAt: a.status === "resolved" && Number.isFinite(endsAt) && endsAt > 0 ? endsAt : null,
    status: a.status,
    alertname: a.labels.alertname ?? "unknown",
    severity: a.labels.severity ?? "none",
    service: a.labels.service ?? null,
    summary: (a.annotations?.summary ?? "").slice(0, 300),
  };
}
