/**
 * The heartbeat is an Alertmanager webhook notification (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config):
 * the body schema below is the part of Alertmanager's payload the sentinel reads, and a body that does not match it
 * is refused with 400 naming what was wrong. heartbeatStatus() tells whether the Watchdog in it is firing.
 */

export const heartbeatBodySchema = {
  type: "object",
  required: ["status", "alerts"],
  properties: {
    version: { type: "string" },
    status: { type: "string", enum: ["firing", "resolved"] },
    receiver: { type: "string" },
    alerts: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["status", "labels"],
        properties: {
          status: { type: "string", enum: ["firing", "resolved"] },
          labels: { type: "object", required: ["alertname"], properties: { alertname: { type: "string" } } },
        },
      },
    },
  },
} as const;

export interface HeartbeatBody {
  status: "firing" | "resolved";
  alerts: { status: "firing" | "resolved"; labels: { alertname: string } }[];
}

/**
 * Whether the body's `alertname` alert is firing (one firing copy is enough: several Prometheus servers may each send
 * it), or why the body is no heartbeat.
 */
export function heartbeatStatus(body: HeartbeatBody, alertname: string): { firing: boolean } | { error: string } {
  const mine = body.alerts.filter((a) => a.labels.alertname === alertname);
  if (mine.length === 0) {
    const names = [...new Set(body.alerts.map((a) => a.labels.alertname))].slice(0, 5);
    return {
      error: `body/alerts has no alert named ${JSON.stringify(alertname)} (found ${names.map((n) => JSON.stringify(n)).join(", ")}): route only the watchdog to the sentinel`,
    };
  }
  return { firing: mine.some((a) => a.status === "firing") };
}
