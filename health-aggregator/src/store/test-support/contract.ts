/**
 * The storage contract: one suite over the interfaces of store/types.ts that every implementation runs — the SQLite
 * one in store/store.integration.test.ts, against a real file in a temp dir; a second one (PostgreSQL, later) runs the
 * suite by passing its own factory. The suite uses the interfaces only: no SQL, no database handle. This file holds
 * the results and rollups (time-weighted availability, no-data time, maintenance, latency, retention); the other
 * records are in contract-records.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Storage } from "../types.js";
import { recordsContract } from "./contract-records.js";
import { D, H, MIN, type Open, S, T0 } from "./fixtures.js";

/** How a suite gets its storages. */
export interface StorageFactory {
  /** A new, empty database, and a way to open the same database again once the first is closed. */
  create(): { storage: Storage; reopen: () => Storage };
  /** Deletes what create() made; called after each test, once its storages are closed. */
  dispose(): void;
}

/** Observes target every `every` ms from `from` to `to` with statusAt(t). */
function feed(
  store: Storage,
  target: string,
  from: number,
  to: number,
  every: number,
  statusAt: (t: number) => "healthy" | "degraded" | "unhealthy",
  latency = 20,
) {
  for (let t = from; t < to; t += every)
    store.writer.observe({
      targetId: target,
      at: t,
      status: statusAt(t),
      latencyMs: latency,
      maxGapMs: 2 * every + 5 * S,
    });
}

/** Runs the whole contract against the storages `factory` makes; `name` prefixes the suites. */
export function storageContract(name: string, factory: StorageFactory): void {
  const opened: Storage[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) {
      try {
        s.close();
      } catch {
        /* already closed by the test */
      }
    }
    factory.dispose();
  });
  const openBoth: Open = () => {
    const { storage, reopen } = factory.create();
    opened.push(storage);
    return {
      storage,
      reopen: () => {
        const again = reopen();
        opened.push(again);
        return again;
      },
    };
  };
  const open = () => openBoth().storage;

  describe(`${name} storage: results and rollups`, () => {
    it("weights availability by time: 15 of 60 minutes down is 75%", () => {
      const store = open();
      feed(store, "api", T0, T0 + H + 15 * S, 15 * S, (t) =>
        t >= T0 + 30 * MIN && t < T0 + 45 * MIN ? "unhealthy" : "healthy",
      );
      const a = store.uptime.availability("api", T0, T0 + H);
      expect(a.availability).toBeCloseTo(0.75, 10);
      expect(a.downMs).toBe(15 * MIN);
      expect(a.upMs).toBe(45 * MIN);
      expect(a.noDataMs).toBe(0);
    });

    it("counts a gap in checking as no data, never as up or down", () => {
      const store = open();
      feed(store, "api", T0, T0 + 10 * MIN, 15 * S, () => "healthy");
      // The aggregator was stopped for 30 minutes, then came back.
      feed(store, "api", T0 + 40 * MIN, T0 + H + 15 * S, 15 * S, () => "healthy");
      const a = store.uptime.availability("api", T0, T0 + H);
      expect(a.availability).toBe(1);
      // The last observation before the gap covers at most maxGap (35 s) beyond itself.
      expect(a.noDataMs).toBe(30 * MIN - 35 * S + 15 * S);
      expect(a.upMs + a.noDataMs).toBe(H);
    });

    it("counts maintenance separately", () => {
      const store = open();
      for (let t = T0; t < T0 + H + 15 * S; t += 15 * S) {
        const inWindow = t >= T0 + 20 * MIN && t < T0 + 40 * MIN;
        store.writer.observe({
          targetId: "api",
          at: t,
          status: inWindow ? "unhealthy" : "healthy",
          latencyMs: 10,
          maxGapMs: 35 * S,
          maintenance: inWindow,
        });
      }
      const a = store.uptime.availability("api", T0, T0 + H);
      expect(a.maintenanceMs).toBe(20 * MIN);
      expect(a.downMs).toBe(0);
      expect(a.availability).toBe(1);
    });

    it("splits observed time at the edges of maintenance windows", () => {
      const store = open();
      // A window from 10:07:30 to 10:22:30 (off the 15 s grid of the checks); the target is down from 10:05 to 10:25.
      const windows = [{ start: T0 + 7 * MIN + 30 * S, end: T0 + 22 * MIN + 30 * S }];
      for (let t = T0; t < T0 + H + 15 * S; t += 15 * S) {
        store.writer.observe({
          targetId: "api",
          at: t,
          status: t >= T0 + 5 * MIN && t < T0 + 25 * MIN ? "unhealthy" : "healthy",
          latencyMs: 10,
          maxGapMs: 35 * S,
          maintenanceWindows: windows,
        });
      }
      const a = store.uptime.availability("api", T0, T0 + H);
      expect(a.maintenanceMs).toBe(15 * MIN);
      expect(a.downMs).toBe(5 * MIN);
      expect(a.upMs).toBe(40 * MIN);
      expect(a.availability).toBeCloseTo(40 / 45, 10);
      // Hour and day rollups agree with the minutes.
      expect(store.uptime.availability("api", T0, T0 + 8 * D).maintenanceMs).toBe(15 * MIN);
      expect(store.uptime.dailyBars("api", T0 + H, 1)[0]!.availability).toBeCloseTo(40 / 45, 10);
    });

    it("answers long windows from hour rollups with the same result", () => {
      const store = open();
      feed(store, "api", T0, T0 + 10 * D + 60 * S, 60 * S, (t) => ((t - T0) % D < H ? "unhealthy" : "healthy"));
      const a = store.uptime.availability("api", T0, T0 + 10 * D);
      expect(a.availability).toBeCloseTo(23 / 24, 10);
      expect(store.uptime.availability("api", T0, T0 + D).availability).toBeCloseTo(23 / 24, 10);
    });

    it("keeps latency percentiles from histograms", () => {
      const store = open();
      let i = 0;
      for (let t = T0; t < T0 + 100 * 15 * S; t += 15 * S) {
        store.writer.observe({
          targetId: "api",
          at: t,
          status: "healthy",
          latencyMs: i++ < 98 ? 20 : 3000,
          maxGapMs: 35 * S,
        });
      }
      const { latency } = store.uptime.availability("api", T0, T0 + H);
      expect(latency.checks).toBe(100);
      // 98 checks in the 10–25 ms bucket and 2 in 2.5–5 s, interpolated inside the bucket like histogram_quantile.
      expect(latency.p50).toBeCloseTo(10 + (15 * 50) / 98, 10);
      expect(latency.p95).toBeCloseTo(10 + (15 * 95) / 98, 10);
      expect(latency.p99).toBeCloseTo(2500 + (2500 * (99 - 98)) / 2, 10);
      // The hour's histogram as the status page reads it: 98 in 10–25 ms, 2 in 2.5–5 s.
      expect(
        store.latency
          .hourLatency(T0, T0 + H)
          .get("api")
          ?.get(T0),
      ).toEqual([0, 0, 98, 0, 0, 0, 0, 0, 0, 2, 0, 0]);
    });

    it("draws daily bars with no-data days", () => {
      const store = open();
      feed(store, "api", T0 + 2 * D, T0 + 3 * D + 15 * S, 15 * S, () => "healthy");
      const bars = store.uptime.dailyBars("api", T0 + 4 * D - 1, 4);
      expect(bars.map((b) => b.day)).toEqual(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]);
      expect(bars.map((b) => b.availability)).toEqual([null, null, 1, null]);
      expect(bars[0]!.noDataMs).toBe(D);
      expect(
        store.uptime
          .dayRollups(T0 + 3 * D, 4)
          .get("api")
          ?.get(T0 + 2 * D),
      ).toEqual({
        up: D,
        degraded: 0,
        down: 0,
        maintenance: 0,
      });
      expect(store.uptime.availabilityOfAll(T0 + 2 * D, T0 + 3 * D)).toEqual(new Map([["api", 1]]));
    });

    it("stores raw results and applies retention per tier", () => {
      const store = open();
      for (let t = T0; t < T0 + 40 * D; t += H) {
        store.writer.addResult({
          targetId: "api",
          instance: "main",
          role: "primary",
          status: "healthy",
          at: t,
          durationMs: 12,
        });
        store.writer.observe({ targetId: "api", at: t, status: "healthy", latencyMs: 12, maxGapMs: 2 * H });
      }
      store.flush();
      const removed = store.applyRetention(T0 + 40 * D, { rawDays: 7, minuteDays: 30, hourDays: 366 });
      expect(removed.results).toBe(33 * 24);
      expect(removed.rollup_minute).toBeGreaterThan(0);
      expect(removed.rollup_hour).toBe(0);
      expect(store.uptime.results("api", 10_000)).toHaveLength(7 * 24);
      expect(store.uptime.results("api", 1)[0]).toMatchObject({ instance: "main", status: "healthy", durationMs: 12 });
    });

    it("keeps incidents and failovers", () => {
      const store = open();
      const id = store.incidents.open({
        targetId: "automatrix",
        startedAt: T0,
        rootCause: "neuroweaver",
        affected: ["automatrix", "relaycore"],
        summary: "AutoMatrix is down",
      });
      expect(store.incidents.list({ openOnly: true })).toHaveLength(1);
      store.incidents.update(id, { endedAt: T0 + 5 * MIN });
      expect(store.incidents.list({ openOnly: true })).toHaveLength(0);
      expect(store.incidents.list()[0]).toEqual({
        id,
        targetId: "automatrix",
        startedAt: T0,
        endedAt: T0 + 5 * MIN,
        rootCause: "neuroweaver",
        affected: ["automatrix", "relaycore"],
        maintenance: false,
        summary: "AutoMatrix is down",
      });
      store.failovers.record({ targetId: "relaycore", at: T0, from: "primary-a", to: "secondary-b" });
      expect(store.failovers.list("relaycore")).toEqual([
        { targetId: "relaycore", at: T0, from: "primary-a", to: "secondary-b" },
      ]);
    });
  });

  recordsContract(name, openBoth);
}
