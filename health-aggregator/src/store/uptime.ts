/**
 * Reads of the results and rollup tables written by uptime-writer.ts — availability over a window, per-day bars and
 * totals, raw results — and their retention. Every read first commits what the writer has queued (`beforeRead`),
 * so a read sees every result recorded before it.
 */
import { STATUS_OF_CODE } from "../checks/types.js";
import type { SqliteDatabase } from "./database.js";
import { emptyHistogram, histogramQuantile } from "./histogram.js";
import type { TargetIndex } from "./targets.js";
import type {
  Availability,
  DailyBar,
  DayTotals,
  Removed,
  RetentionPolicy,
  StoredResult,
  UptimeRepository,
} from "./types.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

type Sums = { up: number; degraded: number; down: number; maintenance: number };

export class SqliteUptimeRepository implements UptimeRepository {
  private readonly sums;
  private readonly latency;
  private readonly allHours;
  private readonly days;
  private readonly allDays;
  private readonly recent;
  private readonly retention;

  constructor(
    db: SqliteDatabase,
    private readonly ids: TargetIndex,
    private readonly beforeRead: () => void,
  ) {
    const sums = (table: string) =>
      db.prepare(
        `SELECT COALESCE(SUM(up_ms),0) up, COALESCE(SUM(degraded_ms),0) degraded, COALESCE(SUM(down_ms),0) down,
                COALESCE(SUM(maintenance_ms),0) maintenance
           FROM ${table} WHERE target = ? AND t >= ? AND t < ?`,
      );
    this.sums = { minute: sums("rollup_minute"), hour: sums("rollup_hour"), day: sums("rollup_day") };
    const latency = (table: string) =>
      db.prepare(`SELECT latency FROM ${table} WHERE target = ? AND t >= ? AND t < ? AND latency IS NOT NULL`);
    this.latency = { hour: latency("rollup_hour"), day: latency("rollup_day") };
    this.allHours = db.prepare(
      `SELECT t.id id, SUM(r.up_ms) up, SUM(r.degraded_ms) degraded, SUM(r.down_ms) down
         FROM rollup_hour r JOIN targets t ON t.idx = r.target
        WHERE r.t >= ? AND r.t < ? GROUP BY r.target`,
    );
    this.days = db.prepare(
      `SELECT t AS day, up_ms up, degraded_ms degraded, down_ms down, maintenance_ms maintenance
         FROM rollup_day WHERE target = ? AND t >= ? AND t < ?`,
    );
    this.allDays = db.prepare(
      `SELECT g.id id, r.t t, r.up_ms up, r.degraded_ms degraded, r.down_ms down, r.maintenance_ms maintenance
         FROM rollup_day r JOIN targets g ON g.idx = r.target WHERE r.t >= ? AND r.t <= ?`,
    );
    this.recent = db.prepare(
      `SELECT r.at, i.name instance, r.status, r.duration_ms, r.error FROM results r JOIN instances i ON i.idx = r.instance
        WHERE r.target = ? ORDER BY r.at DESC LIMIT ?`,
    );
    this.retention = {
      results: db.prepare("DELETE FROM results WHERE at < ?"),
      rollup_minute: db.prepare("DELETE FROM rollup_minute WHERE t < ?"),
      rollup_hour: db.prepare("DELETE FROM rollup_hour WHERE t < ?"),
    };
  }

  /** Minute rollups up to 7 days, hours up to 90, days beyond: the finest that keeps the row count small. */
  availability(targetId: string, from: number, to: number): Availability {
    this.beforeRead();
    const target = this.ids.find(targetId);
    if (target === undefined) {
      return {
        availability: null,
        upMs: 0,
        degradedMs: 0,
        downMs: 0,
        maintenanceMs: 0,
        noDataMs: to - from,
        latency: { p50: null, p95: null, p99: null, checks: 0 },
      };
    }
    const span = to - from;
    const [size, sums] =
      span <= 7 * DAY ? [MINUTE, this.sums.minute] : span <= 90 * DAY ? [HOUR, this.sums.hour] : [DAY, this.sums.day];
    const row = sums.get(target, Math.floor(from / size) * size, to) as Sums;
    const [latencySize, latency] = span <= 90 * DAY ? [HOUR, this.latency.hour] : [DAY, this.latency.day];
    const histogram = emptyHistogram();
    const rows = latency.all(target, Math.floor(from / latencySize) * latencySize, to) as { latency: string }[];
    for (const { latency: counts } of rows) {
      const parsed = JSON.parse(counts) as number[];
      for (let i = 0; i < histogram.length; i++) histogram[i]! += parsed[i] ?? 0;
    }
    const observed = row.up + row.degraded + row.down;
    return {
      availability: observed > 0 ? (row.up + row.degraded) / observed : null,
      upMs: row.up,
      degradedMs: row.degraded,
      downMs: row.down,
      maintenanceMs: row.maintenance,
      noDataMs: Math.max(0, to - from - observed - row.maintenance),
      latency: {
        p50: histogramQuantile(histogram, 0.5),
        p95: histogramQuantile(histogram, 0.95),
        p99: histogramQuantile(histogram, 0.99),
        checks: histogram.reduce((a, b) => a + b, 0),
      },
    };
  }

  /** From hour rollups, in one grouped query. */
  availabilityOfAll(from: number, to: number): Map<string, number> {
    this.beforeRead();
    const rows = this.allHours.all(Math.floor(from / HOUR) * HOUR, to) as {
      id: string;
      up: number;
      degraded: number;
      down: number;
    }[];
    const out = new Map<string, number>();
    for (const r of rows) {
      const observed = r.up + r.degraded + r.down;
      if (observed > 0) out.set(r.id, (r.up + r.degraded) / observed);
    }
    return out;
  }

  dailyBars(targetId: string, to: number, days: number): DailyBar[] {
    this.beforeRead();
    const target = this.ids.find(targetId);
    const lastDay = Math.floor(to / DAY) * DAY;
    const firstDay = lastDay - (days - 1) * DAY;
    const rows =
      target === undefined ? [] : (this.days.all(target, firstDay, lastDay + DAY) as (Sums & { day: number })[]);
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const bars: DailyBar[] = [];
    for (let day = firstDay; day <= lastDay; day += DAY) {
      const r = byDay.get(day);
      const observed = r ? r.up + r.degraded + r.down : 0;
      const span = Math.min(DAY, Math.max(0, to - day));
      bars.push({
        day: new Date(day).toISOString().slice(0, 10),
        availability: observed > 0 ? (r!.up + r!.degraded) / observed : null,
        downMs: r?.down ?? 0,
        noDataMs: Math.max(0, span - observed - (r?.maintenance ?? 0)),
      });
    }
    return bars;
  }

  /** In one query — the status page sums them per system. */
  dayRollups(to: number, days: number): Map<string, Map<number, DayTotals>> {
    this.beforeRead();
    const lastDay = Math.floor(to / DAY) * DAY;
    const rows = this.allDays.all(lastDay - (days - 1) * DAY, lastDay) as (Sums & { id: string; t: number })[];
    const out = new Map<string, Map<number, DayTotals>>();
    for (const r of rows) {
      let perDay = out.get(r.id);
      if (!perDay) {
        perDay = new Map<number, DayTotals>();
        out.set(r.id, perDay);
      }
      perDay.set(r.t, { up: r.up, degraded: r.degraded, down: r.down, maintenance: r.maintenance });
    }
    return out;
  }

  results(targetId: string, limit = 100): StoredResult[] {
    this.beforeRead();
    const target = this.ids.find(targetId);
    if (target === undefined) return [];
    const rows = this.recent.all(target, limit) as {
      at: number;
      instance: string;
      status: number;
      duration_ms: number;
      error: string | null;
    }[];
    return rows.map((r) => ({
      at: r.at,
      instance: r.instance,
      status: STATUS_OF_CODE[r.status]!,
      durationMs: r.duration_ms,
      error: r.error,
    }));
  }

  /** Raw results after rawDays, minute rollups after minuteDays, hour rollups after hourDays; day rollups stay. */
  applyRetention(now: number, policy: RetentionPolicy): Removed {
    this.beforeRead();
    return {
      results: this.retention.results.run(now - policy.rawDays * DAY).changes,
      rollup_minute: this.retention.rollup_minute.run(now - policy.minuteDays * DAY).changes,
      rollup_hour: this.retention.rollup_hour.run(now - policy.hourDays * DAY).changes,
    };
  }
}
