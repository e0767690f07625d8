/** The sentinel's public types: its config after loading, and the plain values its stages pass each other. */

export type ReceiverConfig =
  | { kind: "webhook"; name: string; url: string; token: string | undefined }
  | {
      kind: "email";
      name: string;
      host: string;
      port: number;
      from: string;
      to: readonly string[];
      auth: { user: string; pass: string } | undefined;
      requireTls: boolean;
    }
  | { kind: "chat"; name: string; url: string };

export interface HeartbeatConfig {
  /** How often Alertmanager sends the Watchdog (its repeat_interval for the sentinel's route). */
  intervalMs: number;
  /** How late one may be before it counts as missed. */
  graceMs: number;
  alertname: string;
  token: string;
}

export interface ProbeConfig {
  url: string;
  expect: "json" | "html";
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures that open an incident. */
  failures: number;
}

export interface SentinelConfig {
  name: string;
  listen: { host: string; port: number };
  heartbeat: HeartbeatConfig | undefined;
  probe: ProbeConfig | undefined;
  notify: { withinMs: number; renotifyMs: number; receivers: readonly ReceiverConfig[] };
  metricsToken: string | undefined;
}

/** Time and timers, passed in so tests drive them. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What the sentinel watches. */
export type CheckName = "heartbeat" | "probe";

/** One probe of the status page: ok, or why not (a reason a person reads, with no secret in it). */
export interface ProbeResult {
  at: number;
  ok: boolean;
  reason: string;
  durationMs: number;
}

/**
 * A notification to send: an incident opened (`firing`), still open after the re-notify interval (`reminder`), or
 * over (`resolved`). Plain values only: receivers render it.
 */
export interface Notice {
  status: "firing" | "reminder" | "resolved";
  check: CheckName;
  /** Why it fired (for resolved: why it had fired). */
  reason: string;
  /** When the incident opened. */
  since: number;
  at: number;
}
