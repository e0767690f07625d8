/** The sentinel's own Prometheus metrics (`lookout_sentinel_*`), on a registry of its own. */
import { Counter, Gauge, Registry } from "prom-client";
import type { CheckName } from "./types.js";

export class SentinelMetrics {
  readonly registry = new Registry();
  readonly checkUp = new Gauge({
    name: "lookout_sentinel_check_up",
    help: "1 while the watched check has no open incident, 0 while it has.",
    labelNames: ["check"] as const,
    registers: [this.registry],
  });
  readonly heartbeats = new Counter({
    name: "lookout_sentinel_heartbeats_total",
    help: "Heartbeats accepted, by the Watchdog's status in them.",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly lastHeartbeat = new Gauge({
    name: "lookout_sentinel_heartbeat_last_seconds",
    help: "Unix time of the last firing heartbeat.",
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "lookout_sentinel_heartbeats_rejected_total",
    help: "Heartbeat requests refused, by reason (unauthorized, malformed).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly probes = new Counter({
    name: "lookout_sentinel_probes_total",
    help: "Probes of the status page, by result.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly probeDuration = new Gauge({
    name: "lookout_sentinel_probe_duration_seconds",
    help: "How long the last probe of the status page took.",
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: "lookout_sentinel_notifications_total",
    help: "Notifications by receiver, notice status (firing, reminder, resolved) and result (sent, failed).",
    labelNames: ["receiver", "status", "result"] as const,
    registers: [this.registry],
  });

  setUp(up: Partial<Record<CheckName, boolean>>): void {
    for (const [check, value] of Object.entries(up)) this.checkUp.set({ check }, value ? 1 : 0);
  }
}
