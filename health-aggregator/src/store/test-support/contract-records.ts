/**
 * The storage contract's records (contract.ts runs them): incidents, failovers, alert history, maintenance windows
 * and synthetic runs — each written and read back through its repository, listed in its order, and deleted by its
 * own retention — and a database closed and opened again keeping all of it.
 */
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../../synthetics/index.js";
import type { AlertRecord, MaintenanceWindow } from "../types.js";
import { D, H, MIN, type Open, T0 } from "./fixtures.js";

/** Long after everything the tests write, with the default tiers: every finished record is past its retention. */
const LATER = T0 + 400 * D;
const POLICY = { rawDays: 7, minuteDays: 30, hourDays: 366 };

function run(flow: string, startedAt: number, extra: Partial<RunResult> = {}): RunResult {
  return {
    flow,
    runId: `${flow}-${startedAt}`,
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    trigger: "schedule",
    startedAt,
    durationMs: 812.5,
    outcome: "success",
    steps: [
      { name: "login", status: "passed", durationMs: 401.25, attempts: 1, httpStatus: 200, spanId: "00f067aa0ba902b7" },
    ],
    ...extra,
  };
}

function alert(fingerprint: string, status: AlertRecord["status"], endsAt: number | null = null): AlertRecord {
  return {
    fingerprint,
    startsAt: T0,
    endsAt,
    status,
    alertname: "ServiceDown",
    severity: "critical",
    service: "relaycore",
    summary: "RelayCore is down",
  };
}

type NewWindow = Omit<MaintenanceWindow, "id" | "endedEarly" | "silenceIds">;

function window(start: number, end: number, reason: string): NewWindow {
  return { start, end, targets: ["relaycore"], systems: ["RelayCore"], reason, createdBy: "operator-7", createdAt: T0 };
}

export function recordsContract(name: string, open: Open): void {
  describe(`${name} storage: records`, () => {
    it("lists incidents newest first, filtered, and deletes ended ones with the hour rollups", () => {
      const { storage } = open();
      const first = storage.incidents.open({
        targetId: "neuroweaver",
        startedAt: T0,
        rootCause: "neuroweaver",
        affected: ["neuroweaver"],
        summary: "NeuroWeaver is down",
        maintenance: true,
      });
      const second = storage.incidents.open({
        targetId: "relaycore",
        startedAt: T0 + MIN,
        rootCause: "neuroweaver",
        affected: ["relaycore"],
        summary: "RelayCore is down",
      });
      storage.incidents.update(second, { affected: ["relaycore", "automatrix"] });
      storage.incidents.update(first, { endedAt: T0 + 10 * MIN });
      expect(storage.incidents.list().map((i) => i.id)).toEqual([second, first]);
      expect(storage.incidents.list({ openOnly: true }).map((i) => i.id)).toEqual([second]);
      expect(storage.incidents.list({ targetId: "neuroweaver" })[0]).toMatchObject({
        maintenance: true,
        endedAt: T0 + 10 * MIN,
      });
      expect(storage.incidents.list({ since: T0 + 11 * MIN }).map((i) => i.id)).toEqual([second]);
      expect(storage.incidents.list({ limit: 1 })[0]!.affected).toEqual(["relaycore", "automatrix"]);
      expect(storage.applyRetention(LATER, POLICY).incidents).toBe(1);
      expect(storage.incidents.list().map((i) => i.id)).toEqual([second]);
    });

    it("lists failovers newest first, per target or all, and deletes them with the hour rollups", () => {
      const { storage } = open();
      storage.failovers.record({ targetId: "relaycore", at: T0, from: "primary", to: "secondary" });
      storage.failovers.record({ targetId: "relaycore", at: T0 + H, from: "secondary", to: "primary" });
      storage.failovers.record({ targetId: "neuroweaver", at: T0 + 2 * H, from: "a", to: "b" });
      expect(storage.failovers.list("relaycore").map((f) => f.at)).toEqual([T0 + H, T0]);
      expect(storage.failovers.list(undefined, 2).map((f) => f.targetId)).toEqual(["neuroweaver", "relaycore"]);
      expect(storage.applyRetention(LATER, POLICY).failovers).toBe(3);
      expect(storage.failovers.list()).toEqual([]);
    });

    it("keeps an alert's history by fingerprint and start: the resolved notification closes the firing one", () => {
      const { storage } = open();
      storage.alerts.upsert([alert("a1", "firing"), alert("b2", "firing")], T0);
      expect(storage.alerts.list({ firingOnly: true })).toHaveLength(2);
      storage.alerts.upsert([alert("a1", "resolved", T0 + MIN)], T0 + 2 * MIN);
      expect(storage.alerts.list({ firingOnly: true }).map((a) => a.fingerprint)).toEqual(["b2"]);
      // Most recently updated first.
      expect(storage.alerts.list()).toEqual([alert("a1", "resolved", T0 + MIN), alert("b2", "firing")]);
      expect(storage.alerts.list({ limit: 1 })).toHaveLength(1);
      // Resolved alerts go with the hour rollups; a firing one stays until it resolves.
      expect(storage.applyRetention(LATER, POLICY).alerts).toBe(1);
      expect(storage.alerts.list().map((a) => a.fingerprint)).toEqual(["b2"]);
    });

    it("keeps maintenance windows: by state, ended early, their silences, deleted", () => {
      const { storage } = open();
      const m = storage.maintenance;
      const active = m.insert(window(T0, T0 + H, "router upgrade"));
      const upcoming = m.insert(window(T0 + 2 * H, T0 + 3 * H, "reindex"));
      const past = m.insert(window(T0 - 2 * H, T0 - H, "last week"));
      const now = T0 + MIN;
      const ids = (windows: MaintenanceWindow[]) => windows.map((w) => w.id);
      expect(ids(m.list("active", now, 10))).toEqual([active]);
      expect(ids(m.list("upcoming", now, 10))).toEqual([upcoming]);
      expect(ids(m.list("past", now, 10))).toEqual([past]);
      expect(ids(m.list("all", now, 10))).toEqual([upcoming, active, past]);
      expect(ids(m.list("all", now, 1))).toEqual([upcoming]);
      expect(m.get(active)).toEqual({
        ...window(T0, T0 + H, "router upgrade"),
        id: active,
        endedEarly: false,
        silenceIds: [],
      });
      expect(m.get(999_999)).toBeUndefined();
      m.setSilences(active, ["silence-1", "silence-2"]);
      expect(m.get(active)?.silenceIds).toEqual(["silence-1", "silence-2"]);
      expect(m.endEarly(upcoming, now)).toBe(false);
      expect(m.endEarly(active, now)).toBe(true);
      expect(m.get(active)).toMatchObject({ end: now, endedEarly: true });
      expect(ids(m.endingSince(T0))).toEqual([active, upcoming]);
      expect(m.delete(past)).toBe(true);
      expect(m.delete(past)).toBe(false);
      expect(storage.applyRetention(LATER, POLICY).maintenance_windows).toBe(2);
      expect(m.list("all", LATER, 10)).toEqual([]);
    });

    it("keeps synthetic runs newest first per flow, steps and trace intact, as long as raw results", () => {
      const { storage } = open();
      const trace: RunResult["trace"] = {
        status: "failed",
        durationMs: 1500,
        assertions: [{ name: "one model call", status: "failed", check: "count equals", expected: "1", actual: "2" }],
      };
      const runs = [
        run("relaycore-chat", T0),
        run("relaycore-chat", T0 + MIN, { outcome: "failure", error: "step login: HTTP 503", trace }),
        run("relaycore-chat", T0 + 2 * MIN, { trigger: "manual" }),
        run("neuroweaver-deploy", T0),
      ];
      for (const r of runs) storage.syntheticRuns.add(r);
      expect(storage.syntheticRuns.runs("relaycore-chat", 2)).toEqual([runs[2], runs[1]]);
      expect(storage.syntheticRuns.runs("neuroweaver-deploy", 10)).toEqual([runs[3]]);
      expect(storage.syntheticRuns.runs("no-such-flow", 10)).toEqual([]);
      expect(storage.applyRetention(T0 + 8 * D, POLICY).synthetic_runs).toBe(4);
      expect(storage.syntheticRuns.runs("relaycore-chat", 10)).toEqual([]);
    });

    it("keeps everything across a close and a reopen (its migrations run once)", () => {
      const { storage, reopen } = open();
      storage.writer.addResult({
        targetId: "api",
        instance: "main",
        role: "primary",
        status: "degraded",
        at: T0,
        durationMs: 1200,
        error: "slow",
      });
      storage.writer.observe({ targetId: "api", at: T0, status: "healthy", latencyMs: 12, maxGapMs: 35_000 });
      storage.writer.observe({ targetId: "api", at: T0 + 15_000, status: "healthy", latencyMs: 12, maxGapMs: 35_000 });
      const incident = storage.incidents.open({
        targetId: "api",
        startedAt: T0,
        rootCause: "api",
        affected: ["api"],
        summary: "API is down",
      });
      storage.alerts.upsert([alert("a1", "firing")], T0);
      const w = storage.maintenance.insert(window(T0, T0 + H, "upgrade"));
      storage.syntheticRuns.add(run("relaycore-chat", T0));
      storage.close();
      const again = reopen();
      expect(again.uptime.results("api")).toEqual([
        { at: T0, instance: "main", status: "degraded", durationMs: 1200, error: "slow" },
      ]);
      expect(again.uptime.availability("api", T0, T0 + MIN).upMs).toBe(15_000);
      expect(again.incidents.list().map((i) => i.id)).toEqual([incident]);
      expect(again.alerts.list()).toHaveLength(1);
      expect(again.maintenance.get(w)?.reason).toBe("upgrade");
      expect(again.syntheticRuns.runs("relaycore-chat", 10)).toHaveLength(1);
    });
  });
}
