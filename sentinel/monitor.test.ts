// The monitor's transitions, driven with plain times: no clock, no timers.
import { describe, expect, it } from "vitest";
import { type MonitorSettings, newMonitorState, nextWake, onHeartbeat, onProbe, tick } from "./monitor.js";
import type { ProbeResult } from "./types.js";

const settings: MonitorSettings = {
  heartbeat: { intervalMs: 60_000, graceMs: 30_000 },
  probe: { failures: 3 },
  renotifyMs: 3_600_000,
};
const failed = (at: number, reason = "connection refused (nothing listening)"): ProbeResult => ({
  at,
  ok: false,
  reason,
  durationMs: 1,
});
const good = (at: number): ProbeResult => ({ at, ok: true, reason: "HTTP 200", durationMs: 1 });

describe("heartbeat", () => {
  it("stays quiet while heartbeats arrive every interval", () => {
    const state = newMonitorState(settings, 0);
    const notices = [];
    for (let t = 60_000; t <= 600_000; t += 60_000) {
      notices.push(...tick(state, settings, t - 1), ...onHeartbeat(state, t, true), ...tick(state, settings, t));
    }
    expect(notices).toEqual([]);
  });

  it("fires once when none arrives for longer than interval + grace, then resolves on the next one", () => {
    const state = newMonitorState(settings, 0);
    onHeartbeat(state, 10_000, true);
    expect(tick(state, settings, 100_000)).toEqual([]);
    expect(nextWake(state, settings)).toBe(100_001);
    const [fired] = tick(state, settings, 100_001);
    expect(fired).toMatchObject({ status: "firing", check: "heartbeat", since: 100_001 });
    expect(fired!.reason).toMatch(/no heartbeat from Alertmanager for 90s \(expected every 60s\)/);
    expect(tick(state, settings, 200_000)).toEqual([]);
    expect(onHeartbeat(state, 250_000, true)).toEqual([
      { status: "resolved", check: "heartbeat", reason: fired!.reason, since: 100_001, at: 250_000 },
    ]);
  });

  it("counts the sentinel's start as a heartbeat, so a stack that never sends one is noticed", () => {
    const state = newMonitorState(settings, 5_000);
    expect(tick(state, settings, 95_001)).toMatchObject([{ status: "firing", check: "heartbeat" }]);
  });

  it("fires at once on a resolved Watchdog, and does not fire again when the deadline then passes", () => {
    const state = newMonitorState(settings, 0);
    onHeartbeat(state, 60_000, true);
    const [fired] = onHeartbeat(state, 70_000, false);
    expect(fired).toMatchObject({ status: "firing", check: "heartbeat", since: 70_000 });
    expect(fired!.reason).toMatch(/Watchdog resolved/);
    expect(onHeartbeat(state, 80_000, false)).toEqual([]);
    expect(tick(state, settings, 500_000)).toEqual([]);
    expect(onHeartbeat(state, 600_000, true)).toMatchObject([{ status: "resolved", since: 70_000 }]);
  });

  it("reminds every renotify interval while the incident stays open", () => {
    const state = newMonitorState(settings, 0);
    tick(state, settings, 100_000);
    expect(nextWake(state, settings)).toBe(100_000 + 3_600_000);
    expect(tick(state, settings, 3_699_999)).toEqual([]);
    expect(tick(state, settings, 3_700_000)).toMatchObject([
      { status: "reminder", check: "heartbeat", since: 100_000 },
    ]);
    expect(tick(state, settings, 3_700_001)).toEqual([]);
    expect(tick(state, settings, 7_300_000)).toMatchObject([{ status: "reminder" }]);
  });
});

describe("probe", () => {
  it("fires after `failures` failures in a row, naming the last reason, and resolves on one success", () => {
    const state = newMonitorState(settings, 0);
    expect(onProbe(state, settings, failed(1))).toEqual([]);
    expect(onProbe(state, settings, failed(2))).toEqual([]);
    const [fired] = onProbe(state, settings, failed(3, "answered HTTP 503"));
    expect(fired).toMatchObject({ status: "firing", check: "probe", since: 3 });
    expect(fired!.reason).toBe("the status page probe failed 3 times in a row: answered HTTP 503");
    expect(onProbe(state, settings, failed(4))).toEqual([]);
    expect(onProbe(state, settings, good(5))).toMatchObject([{ status: "resolved", check: "probe", since: 3, at: 5 }]);
    expect(onProbe(state, settings, good(6))).toEqual([]);
  });

  it("starts counting again after a success", () => {
    const state = newMonitorState(settings, 0);
    onProbe(state, settings, failed(1));
    onProbe(state, settings, failed(2));
    onProbe(state, settings, good(3));
    expect(onProbe(state, settings, failed(4))).toEqual([]);
    expect(onProbe(state, settings, failed(5))).toEqual([]);
    expect(onProbe(state, settings, failed(6))).toHaveLength(1);
  });

  it("keeps heartbeat and probe incidents apart", () => {
    const state = newMonitorState(settings, 0);
    for (let t = 1; t <= 3; t++) onProbe(state, settings, failed(t));
    expect(tick(state, settings, 90_001)).toMatchObject([{ status: "firing", check: "heartbeat" }]);
    expect(onHeartbeat(state, 100_000, true)).toMatchObject([{ status: "resolved", check: "heartbeat" }]);
    expect(state.probe?.incident).toBeDefined();
  });
});

describe("a sentinel watching only one thing", () => {
  it("ignores heartbeats without a heartbeat section and probes without a probe section", () => {
    const probeOnly: MonitorSettings = { heartbeat: undefined, probe: { failures: 1 }, renotifyMs: 60_000 };
    const state = newMonitorState(probeOnly, 0);
    expect(onHeartbeat(state, 1, false)).toEqual([]);
    expect(tick(state, probeOnly, 10_000_000)).toEqual([]);
    expect(nextWake(state, probeOnly)).toBeUndefined();
    expect(onProbe(state, probeOnly, failed(1))).toMatchObject([
      { reason: "the status page probe failed: connection refused (nothing listening)" },
    ]);
  });
});
