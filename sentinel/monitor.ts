/**
 * The sentinel's core: from heartbeats, probe results and the passing of time, when an incident opens, when it is
 * re-notified and when it is over. Pure logic on a plain state value — no clock, no I/O: the service feeds it events
 * with their times and sends the notices it returns; tests drive it with any times they like.
 *
 * - heartbeat: an incident opens when none has arrived for longer than interval + grace (the sentinel's start counts
 *   as one, so a sentinel started against a dead stack notifies too), or at once when Alertmanager reports the
 *   Watchdog `resolved` — what it sends when Prometheus stopped re-sending the alert. A firing heartbeat ends it.
 * - probe: an incident opens after `failures` failed probes in a row; one good probe ends it.
 * - an open incident is notified again every `renotifyMs`; each incident is notified once when it opens and once
 *   when it ends.
 */
import type { CheckName, Notice, ProbeResult } from "./types.js";

export interface MonitorSettings {
  heartbeat: { intervalMs: number; graceMs: number } | undefined;
  probe: { failures: number } | undefined;
  renotifyMs: number;
}

export interface Incident {
  since: number;
  reason: string;
  lastNotifiedAt: number;
}

export interface MonitorState {
  heartbeat: { lastAt: number; incident: Incident | undefined } | undefined;
  probe: { failures: number; lastReason: string | undefined; incident: Incident | undefined } | undefined;
}

export function newMonitorState(settings: MonitorSettings, now: number): MonitorState {
  return {
    heartbeat: settings.heartbeat ? { lastAt: now, incident: undefined } : undefined,
    probe: settings.probe ? { failures: 0, lastReason: undefined, incident: undefined } : undefined,
  };
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

function open(check: CheckName, target: { incident: Incident | undefined }, reason: string, at: number): Notice[] {
  if (target.incident) return [];
  target.incident = { since: at, reason, lastNotifiedAt: at };
  return [{ status: "firing", check, reason, since: at, at }];
}

function close(check: CheckName, target: { incident: Incident | undefined }, at: number): Notice[] {
  const incident = target.incident;
  if (!incident) return [];
  target.incident = undefined;
  return [{ status: "resolved", check, reason: incident.reason, since: incident.since, at }];
}

/** A heartbeat arrived at `at`: `firing` is the Watchdog's status in it (false: Alertmanager says resolved). */
export function onHeartbeat(state: MonitorState, at: number, firing: boolean): Notice[] {
  const heartbeat = state.heartbeat;
  if (!heartbeat) return [];
  if (!firing) {
    return open(
      "heartbeat",
      heartbeat,
      "Alertmanager reports the Watchdog resolved: Prometheus has stopped sending it (stopped, hung or cut off from Alertmanager)",
      at,
    );
  }
  heartbeat.lastAt = Math.max(heartbeat.lastAt, at);
  return close("heartbeat", heartbeat, at);
}

/** A probe of the status page finished. */
export function onProbe(state: MonitorState, settings: MonitorSettings, result: ProbeResult): Notice[] {
  const probe = state.probe;
  if (!probe || !settings.probe) return [];
  if (result.ok) {
    probe.failures = 0;
    probe.lastReason = undefined;
    return close("probe", probe, result.at);
  }
  probe.failures += 1;
  probe.lastReason = result.reason;
  if (probe.failures < settings.probe.failures) return [];
  const times = settings.probe.failures === 1 ? "" : ` ${settings.probe.failures} times in a row`;
  return open("probe", probe, `the status page probe failed${times}: ${result.reason}`, result.at);
}

/** Time has reached `now`: a heartbeat deadline passed, or an open incident is due for a reminder. */
export function tick(state: MonitorState, settings: MonitorSettings, now: number): Notice[] {
  const notices: Notice[] = [];
  const heartbeat = state.heartbeat;
  if (heartbeat && settings.heartbeat && !heartbeat.incident) {
    const silentFor = now - heartbeat.lastAt;
    if (silentFor > settings.heartbeat.intervalMs + settings.heartbeat.graceMs) {
      const reason = `no heartbeat from Alertmanager for ${seconds(silentFor)} (expected every ${seconds(settings.heartbeat.intervalMs)}): Alertmanager, Prometheus or their host is down or cut off`;
      notices.push(...open("heartbeat", heartbeat, reason, now));
    }
  }
  for (const [check, target] of [
    ["heartbeat", state.heartbeat],
    ["probe", state.probe],
  ] as const) {
    const incident = target?.incident;
    if (incident && now - incident.lastNotifiedAt >= settings.renotifyMs) {
      incident.lastNotifiedAt = now;
      notices.push({ status: "reminder", check, reason: incident.reason, since: incident.since, at: now });
    }
  }
  return notices;
}

/** The earliest time at which tick() can return something, given no other event (undefined: nothing pending). */
export function nextWake(state: MonitorState, settings: MonitorSettings): number | undefined {
  const times: number[] = [];
  const heartbeat = state.heartbeat;
  if (heartbeat && settings.heartbeat && !heartbeat.incident) {
    times.push(heartbeat.lastAt + settings.heartbeat.intervalMs + settings.heartbeat.graceMs + 1);
  }
  for (const incident of [state.heartbeat?.incident, state.probe?.incident]) {
    if (incident) times.push(incident.lastNotifiedAt + settings.renotifyMs);
  }
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Whether each watched check is up now (no open incident), for /health and /metrics. */
export function checksUp(state: MonitorState): Partial<Record<CheckName, boolean>> {
  const up: Partial<Record<CheckName, boolean>> = {};
  if (state.heartbeat) up.heartbeat = !state.heartbeat.incident;
  if (state.probe) up.probe = !state.probe.incident;
  return up;
}
