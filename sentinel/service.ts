/**
 * Wires the sentinel together: the HTTP app feeds heartbeats to the monitor, a timer probes the status page, another
 * wakes the monitor when a deadline or a reminder is due, and every notice the monitor returns is rendered and
 * delivered. Clock, prober, sender and logger are parameters, so a test drives the whole service without sleeping
 * or a network; the CLI passes the real ones.
 */
import type { FastifyInstance } from "fastify";
import { checksUp, type MonitorSettings, newMonitorState, nextWake, onHeartbeat, onProbe, tick } from "./monitor.js";
import { SentinelMetrics } from "./metrics.js";
import { deliver, renderNotice, type Sender, sendToReceiver } from "./notify.js";
import { type Prober, probeStatusPage } from "./probe.js";
import { buildSentinelApp } from "./server.js";
import type { Clock, Notice, SentinelConfig } from "./types.js";

/** One JSON log line's fields. */
export type Logger = (event: Record<string, unknown>) => void;

export interface SentinelDeps {
  clock?: Clock;
  probe?: Prober;
  send?: Sender;
  log?: Logger;
}

export interface Sentinel {
  app: FastifyInstance;
  metrics: SentinelMetrics;
  /** Resolves when every notice so far has been delivered or given up. */
  idle(): Promise<void>;
  /** Listens on the config's host and port; resolves with the address. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A wake-up that fires this much later than it was due means the sentinel itself stalled — paused, swapped out or
 * starved of CPU. Heartbeats that arrived meanwhile are still queued in its sockets, and Node runs due timers before
 * it reads them: judging the deadline there would page for a silence that was the sentinel's own.
 */
const STALL_MS = 250;
/** After a stall, how long the sentinel reads what queued up before it judges a deadline. */
const SETTLE_MS = 100;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createSentinel(config: SentinelConfig, deps: SentinelDeps = {}): Sentinel {
  const clock = deps.clock ?? systemClock;
  const probe = deps.probe ?? probeStatusPage;
  const send = deps.send ?? sendToReceiver;
  const log = deps.log ?? (() => undefined);
  const settings: MonitorSettings = {
    heartbeat: config.heartbeat,
    probe: config.probe,
    renotifyMs: config.notify.renotifyMs,
  };
  const startedAt = clock.now();
  const state = newMonitorState(settings, startedAt);
  const metrics = new SentinelMetrics();
  const pending = new Set<Promise<void>>();
  let wakeTimer: unknown;
  let probeTimer: unknown;
  let closed = false;

  const dispatch = (notice: Notice) => {
    log({ event: "notice", status: notice.status, check: notice.check, reason: notice.reason });
    const message = renderNotice(notice, config.name, config.probe?.url);
    const delivery = deliver(config.notify.receivers, message, notice.at + config.notify.withinMs, clock, send).then(
      (results) => {
        for (const r of results) {
          metrics.notifications.inc({ receiver: r.receiver, status: notice.status, result: r.ok ? "sent" : "failed" });
          log({
            event: r.ok ? "notified" : "notify_failed",
            receiver: r.receiver,
            status: notice.status,
            check: notice.check,
            attempts: r.attempts,
            ...(r.error ? { error: r.error } : {}),
          });
        }
      },
    );
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
  };

  /** Sends what the monitor returned and sets the wake-up timer for its next deadline. */
  const handle = (notices: Notice[]) => {
    for (const notice of notices) dispatch(notice);
    metrics.setUp(checksUp(state));
    if (closed) return;
    if (wakeTimer !== undefined) clock.clearTimeout(wakeTimer);
    const at = nextWake(state, settings);
    wakeTimer = at === undefined ? undefined : clock.setTimeout(() => wake(at), Math.max(0, at - clock.now()));
  };

  const wake = (dueAt: number) => {
    const lateMs = clock.now() - dueAt;
    if (lateMs <= STALL_MS) return handle(tick(state, settings, clock.now()));
    log({ event: "stalled", late_ms: lateMs });
    wakeTimer = clock.setTimeout(() => handle(tick(state, settings, clock.now())), SETTLE_MS);
  };

  const probeOnce = async () => {
    if (!config.probe || closed) return;
    const result = await probe(config.probe, () => clock.now());
    metrics.probes.inc({ result: result.ok ? "ok" : "failed" });
    metrics.probeDuration.set(result.durationMs / 1000);
    if (!result.ok) log({ event: "probe_failed", reason: result.reason });
    if (closed) return;
    handle(onProbe(state, settings, result));
    probeTimer = clock.setTimeout(() => void probeOnce(), config.probe.intervalMs);
  };

  const app = buildSentinelApp({
    heartbeat: config.heartbeat,
    metricsToken: config.metricsToken,
    metrics,
    onHeartbeat: (firing) => handle(onHeartbeat(state, clock.now(), firing)),
    checks: () => checksUp(state),
    startedAt,
    now: () => clock.now(),
  });
  handle([]);
  void probeOnce();

  return {
    app,
    metrics,
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    listen: () => app.listen({ host: config.listen.host, port: config.listen.port }),
    close: async () => {
      closed = true;
      clock.clearTimeout(wakeTimer);
      clock.clearTimeout(probeTimer);
      await app.close();
      // Notices already due are still delivered (each within notify.within).
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
