/**
 * The uptime store on SQLite (better-sqlite3): raw check results, minute and hour rollups, incidents, failovers and
 * alert history. Writes are queued and committed in one transaction per flush (every second, or sooner when the
 * queue is long); WAL with synchronous=NORMAL keeps every committed transaction across a `kill -9`.
 *
 * Availability is time-weighted: each observation of a target covers the time until the next one, but never more
 * than `maxGapMs` — beyond that the aggregator was not looking, and the time is "no data", neither up nor down.
 * Rows are compact (integer ids, WITHOUT ROWID tables) so that a year at a 15 s interval stays within a few MB.
 */
import Database from "better-sqlite3";
import { STATUS_CODE, type CheckResult, type Status } from "../checks/types.js";
import { MIGRATIONS } from "./migrations.js";

/** Latency histogram bucket upper bounds in ms; the last bucket is everything above. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface Observation {
  targetId: string;
  at: number;
  status: Status;
  latencyMs: number;
  /** Coverage of the previous observation ends here at the latest (e.g. 2 × interval + timeout). */
  maxGapMs: number;
  /** True while the target is in a maintenance window: that time counts neither as up nor as down. */
  maintenance?: boolean;
  /**
   * The target's maintenance windows near this observation. When given, the time since the previous observation is
   * split at their edges — exactly the part inside a window counts as maintenance — and `maintenance` is ignored.
   */
  maintenanceWindows?: readonly Interval[];
}

/** A half-open time interval [start, end) in ms. */
export interface Interval {
  start: number;
  end: number;
}

/** Total length of the part of [start, end) covered by the intervals (which may overlap each other). */
export function coveredMs(start: number, end: number, intervals: readonly Interval[]): number {
  const clipped = intervals
    .map((i) => ({ start: Math.max(start, i.start), end: Math.min(end, i.end) }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let reach = start;
  for (const i of clipped) {
    const from = Math.max(reach, i.start);
    if (i.end > from) total += i.end - from;
    reach = Math.max(reach, i.end);
  }
  return total;
}

export interface Incident {
  id: number;
  targetId: string;
  startedAt: number;
  endedAt: number | null;
  rootCause: string;
  affected: string[];
  summary: string;
  /** Opened while the target was in a maintenance window. */
  maintenance: boolean;
}

/** One alert instance from Alertmanager, reduced to what is safe to keep and show (no free-form labels). */
export interface AlertRecord {
  fingerprint: string;
  startsAt: number;
  endsAt: number | null;
  status: "firing" | "resolved";
  alertname: string;
  severity: string;
  service: string | null;
  summary: string;
}

export interface Availability {
  /** Fraction of observed, non-maintenance time that was healthy or degraded; null when nothing was observed. */
  availability: number | null;
  upMs: number;
  degradedMs: number;
  downMs: number;
  maintenanceMs: number;
  noDataMs: number;
  latency: { p50: number | null; p95: number | null; p99: number | null; checks: number };
}

export interface DailyBar {
  day: string;
  availability: number | null;
  downMs: number;
  noDataMs: number;
}

interface Span {
  start: number;
  end: number;
  status: Status;
  maintenance: boolean;
  /** Maintenance windows overlapping the span; when set they decide, not `maintenance`. */
  windows?: Interval[];
}

interface LastObservation {
  at: number;
  status: Status;
  maxGapMs: number;
  maintenance: boolean;
}

function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
}

function bucketOf(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i < 0 ? LATENCY_BUCKETS_MS.length : i;
}

/** Percentile from bucket counts: the upper bound of the bucket holding it (conservative, like histogram_quantile). */
export function percentile(histogram: number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen >= rank) return i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i]! : Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

export interface StoreOptions {
  /** File path, or ":memory:". */
  path: string;
  flushEveryMs?: number;
  maxQueue?: number;
}

type Op =
  | { kind: "result"; result: CheckResult }
  | { kind: "span"; target: number; span: Span; latency?: { at: number; ms: number } };

export class UptimeStore {
  readonly db: Database.Database;
  private readonly targetIds = new Map<string, number>();
  private readonly instanceIds = new Map<string, number>();
  private readonly last = new Map<string, LastObservation>();
  private queue: Op[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxQueue: number;
  private readonly statements;

  constructor(options: StoreOptions) {
    this.db = new Database(options.path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only power loss can lose the last ones.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.migrate();
    this.maxQueue = options.maxQueue ?? 2_000;
    for (const row of this.db.prepare("SELECT idx, id FROM targets").all() as { idx: number; id: string }[]) {
      this.targetIds.set(row.id, row.idx);
    }
    for (const row of this.db.prepare("SELECT idx, target, name FROM instances").all() as {
      idx: number;
      target: string;
      name: string;
    }[]) {
      this.instanceIds.set(`${row.target}\u0000${row.name}`, row.idx);
    }
    this.statements = {
      insertTarget: this.db.prepare("INSERT INTO targets (id) VALUES (?)"),
      insertInstance: this.db.prepare("INSERT INTO instances (target, name) VALUES (?, ?)"),
      insertResult: this.db.prepare(
        "INSERT OR REPLACE INTO results (target, at, instance, status, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      getMinute: this.db.prepare(
        "SELECT up_ms, degraded_ms, down_ms, maintenance_ms, latency FROM rollup_minute WHERE target = ? AND t = ?",
      ),
      getHour: this.db.prepare(
        "SELECT up_ms, degraded_ms, down_ms, maintenance_ms, latency FROM rollup_hour WHERE target = ? AND t = ?",
      ),
      putMinute: this.db.prepare(
        "INSERT OR REPLACE INTO rollup_minute (target, t, up_ms, degraded_ms, down_ms, maintenance_ms, latency) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      putHour: this.db.prepare(
        "INSERT OR REPLACE INTO rollup_hour (target, t, up_ms, degraded_ms, down_ms, maintenance_ms, latency) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      getDay: this.db.prepare(
        "SELECT up_ms, degraded_ms, down_ms, maintenance_ms, latency FROM rollup_day WHERE target = ? AND t = ?",
      ),
      putDay: this.db.prepare(
        "INSERT OR REPLACE INTO rollup_day (target, t, up_ms, degraded_ms, down_ms, maintenance_ms, latency) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
    };
    const flushEvery = options.flushEveryMs ?? 1_000;
    if (flushEvery > 0) {
      this.timer = setInterval(() => this.flush(), flushEvery);
      this.timer.unref();
    }
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `the uptime database is version ${version}, newer than this aggregator knows (${MIGRATIONS.length})`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private targetIndex(id: string): number {
    let idx = this.targetIds.get(id);
    if (idx === undefined) {
      idx = Number(this.statements.insertTarget.run(id).lastInsertRowid);
      this.targetIds.set(id, idx);
    }
    return idx;
  }

  private instanceIndex(target: string, name: string): number {
    const key = `${target}\u0000${name}`;
    let idx = this.instanceIds.get(key);
    if (idx === undefined) {
      idx = Number(this.statements.insertInstance.run(target, name).lastInsertRowid);
      this.instanceIds.set(key, idx);
    }
    return idx;
  }

  /** Queues a raw result. */
  addResult(result: CheckResult): void {
    this.queue.push({ kind: "result", result });
    if (this.queue.length >= this.maxQueue) this.flush();
  }

  /** Queues the time since the target's previous observation, attributed to that observation's status. */
  observe(observation: Observation): void {
    const previous = this.last.get(observation.targetId);
    const target = this.targetIndex(observation.targetId);
    if (previous && observation.at > previous.at) {
      const end = Math.min(observation.at, previous.at + previous.maxGapMs);
      const windows = observation.maintenanceWindows?.filter((w) => w.end > previous.at && w.start < end);
      this.queue.push({
        kind: "span",
        target,
        span: {
          start: previous.at,
          end,
          status: previous.status,
          maintenance: previous.maintenance,
          ...(observation.maintenanceWindows ? { windows: windows ?? [] } : {}),
        },
        latency: { at: observation.at, ms: observation.latencyMs },
      });
    } else {
      this.queue.push({
        kind: "span",
        target,
        span: { start: observation.at, end: observation.at, status: observation.status, maintenance: false },
        latency: { at: observation.at, ms: observation.latencyMs },
      });
    }
    this.last.set(observation.targetId, {
      at: observation.at,
      status: observation.status,
      maxGapMs: observation.maxGapMs,
      maintenance: observation.maintenance ?? false,
    });
    if (this.queue.length >= this.maxQueue) this.flush();
  }

  /** Commits everything queued in one transaction. */
  flush(): void {
    if (this.queue.length === 0) return;
    const ops = this.queue;
    this.queue = [];
    this.db.transaction(() => {
      for (const op of ops) {
        if (op.kind === "result") {
          const r = op.result;
          this.statements.insertResult.run(
            this.targetIndex(r.targetId),
            Math.round(r.at),
            this.instanceIndex(r.targetId, r.instance),
            STATUS_CODE[r.status],
            Math.round(r.durationMs),
            r.error ?? null,
          );
        } else {
          this.applySpan(op.target, op.span, op.latency);
        }
      }
    })();
  }

  private applySpan(target: number, span: Span, latency?: { at: number; ms: number }): void {
    // Latency histograms live in hour and day rollups only: percentiles over 24 h or more do not need minute
    // resolution, and leaving them out keeps minute rows small (the bulk of a target's storage).
    for (const [size, get, put, keepLatency] of [
      [MINUTE, this.statements.getMinute, this.statements.putMinute, false],
      [HOUR, this.statements.getHour, this.statements.putHour, true],
      [DAY, this.statements.getDay, this.statements.putDay, true],
    ] as const) {
      const touched = new Map<
        number,
        { up: number; degraded: number; down: number; maintenance: number; latency: number[] }
      >();
      const bucket = (t: number) => {
        let b = touched.get(t);
        if (!b) {
          const row = get.get(target, t) as
            | { up_ms: number; degraded_ms: number; down_ms: number; maintenance_ms: number; latency: string | null }
            | undefined;
          b = row
            ? {
                up: row.up_ms,
                degraded: row.degraded_ms,
                down: row.down_ms,
                maintenance: row.maintenance_ms,
                latency: row.latency ? (JSON.parse(row.latency) as number[]) : emptyHistogram(),
              }
            : { up: 0, degraded: 0, down: 0, maintenance: 0, latency: emptyHistogram() };
          touched.set(t, b);
        }
        return b;
      };
      for (let start = span.start; start < span.end;) {
        const t = Math.floor(start / size) * size;
        const end = Math.min(span.end, t + size);
        const b = bucket(t);
        const maintenance = span.windows ? coveredMs(start, end, span.windows) : span.maintenance ? end - start : 0;
        const ms = end - start - maintenance;
        b.maintenance += maintenance;
        if (span.status === "healthy") b.up += ms;
        else if (span.status === "degraded") b.degraded += ms;
        else b.down += ms;
        start = end;
      }
      if (latency && keepLatency) {
        const b = bucket(Math.floor(latency.at / size) * size);
        b.latency[bucketOf(latency.ms)]! += 1;
      }
      for (const [t, b] of touched) {
        put.run(target, t, b.up, b.degraded, b.down, b.maintenance, keepLatency ? JSON.stringify(b.latency) : null);
      }
    }
  }

  /** Availability, latency percentiles and no-data time over [from, to). Minute rollups up to 7 days, hours beyond. */
  availability(targetId: string, from: number, to: number): Availability {
    this.flush();
    const target = this.targetIds.get(targetId);
    const empty: Availability = {
      availability: null,
      upMs: 0,
      degradedMs: 0,
      downMs: 0,
      maintenanceMs: 0,
      noDataMs: to - from,
      latency: { p50: null, p95: null, p99: null, checks: 0 },
    };
    if (target === undefined) return empty;
    // The finest rollup that keeps the row count small: minutes up to 7 days, hours up to 90, days beyond.
    const span = to - from;
    const [size, table] =
      span <= 7 * DAY ? [MINUTE, "rollup_minute"] : span <= 90 * DAY ? [HOUR, "rollup_hour"] : [DAY, "rollup_day"];
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(up_ms),0) up, COALESCE(SUM(degraded_ms),0) degraded, COALESCE(SUM(down_ms),0) down,
                COALESCE(SUM(maintenance_ms),0) maintenance
           FROM ${table} WHERE target = ? AND t >= ? AND t < ?`,
      )
      .get(target, Math.floor(from / size) * size, to) as {
      up: number;
      degraded: number;
      down: number;
      maintenance: number;
    };
    const [latencySize, latencyTable] = span <= 90 * DAY ? [HOUR, "rollup_hour"] : [DAY, "rollup_day"];
    const histogram = emptyHistogram();
    for (const { latency } of this.db
      .prepare(`SELECT latency FROM ${latencyTable} WHERE target = ? AND t >= ? AND t < ? AND latency IS NOT NULL`)
      .all(target, Math.floor(from / latencySize) * latencySize, to) as { latency: string }[]) {
      const counts = JSON.parse(latency) as number[];
      for (let i = 0; i < histogram.length; i++) histogram[i]! += counts[i] ?? 0;
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
        p50: percentile(histogram, 0.5),
        p95: percentile(histogram, 0.95),
        p99: percentile(histogram, 0.99),
        checks: histogram.reduce((a, b) => a + b, 0),
      },
    };
  }

  /** Availability of every target over [from, to) from hour rollups, in one grouped query (for the metrics). */
  availabilityOfAll(from: number, to: number): Map<string, number> {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT t.id id, SUM(r.up_ms) up, SUM(r.degraded_ms) degraded, SUM(r.down_ms) down
           FROM rollup_hour r JOIN targets t ON t.idx = r.target
          WHERE r.t >= ? AND r.t < ? GROUP BY r.target`,
      )
      .all(Math.floor(from / HOUR) * HOUR, to) as { id: string; up: number; degraded: number; down: number }[];
    const out = new Map<string, number>();
    for (const r of rows) {
      const observed = r.up + r.degraded + r.down;
      if (observed > 0) out.set(r.id, (r.up + r.degraded) / observed);
    }
    return out;
  }

  /** One bar per UTC day for the last `days` days ending at `to` (the status page's 90-day bars). */
  dailyBars(targetId: string, to: number, days: number): DailyBar[] {
    this.flush();
    const target = this.targetIds.get(targetId);
    const lastDay = Math.floor(to / 86_400_000) * 86_400_000;
    const firstDay = lastDay - (days - 1) * 86_400_000;
    const rows =
      target === undefined
        ? []
        : (this.db
            .prepare(
              `SELECT t AS day, up_ms up, degraded_ms degraded, down_ms down, maintenance_ms maintenance
                 FROM rollup_day WHERE target = ? AND t >= ? AND t < ?`,
            )
            .all(target, firstDay, lastDay + 86_400_000) as {
            day: number;
            up: number;
            degraded: number;
            down: number;
            maintenance: number;
          }[]);
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const bars: DailyBar[] = [];
    for (let day = firstDay; day <= lastDay; day += 86_400_000) {
      const r = byDay.get(day);
      const observed = r ? r.up + r.degraded + r.down : 0;
      const span = Math.min(86_400_000, Math.max(0, to - day));
      bars.push({
        day: new Date(day).toISOString().slice(0, 10),
        availability: observed > 0 ? (r!.up + r!.degraded) / observed : null,
        downMs: r?.down ?? 0,
        noDataMs: Math.max(0, span - observed - (r?.maintenance ?? 0)),
      });
    }
    return bars;
  }

  /**
   * Day rollups of every target over the last `days` days ending at `to`, in one query — the status page sums them
   * per system. Returns per target: day start → { up, degraded, down, maintenance } in ms.
   */
  dayRollups(
    to: number,
    days: number,
  ): Map<string, Map<number, { up: number; degraded: number; down: number; maintenance: number }>> {
    this.flush();
    const lastDay = Math.floor(to / DAY) * DAY;
    const rows = this.db
      .prepare(
        `SELECT g.id id, r.t t, r.up_ms up, r.degraded_ms degraded, r.down_ms down, r.maintenance_ms maintenance
           FROM rollup_day r JOIN targets g ON g.idx = r.target WHERE r.t >= ? AND r.t <= ?`,
      )
      .all(lastDay - (days - 1) * DAY, lastDay) as {
      id: string;
      t: number;
      up: number;
      degraded: number;
      down: number;
      maintenance: number;
    }[];
    const out = new Map<string, Map<number, { up: number; degraded: number; down: number; maintenance: number }>>();
    for (const r of rows) {
      let perDay = out.get(r.id);
      if (!perDay) {
        perDay = new Map<number, { up: number; degraded: number; down: number; maintenance: number }>();
        out.set(r.id, perDay);
      }
      perDay.set(r.t, { up: r.up, degraded: r.degraded, down: r.down, maintenance: r.maintenance });
    }
    return out;
  }

  /**
   * Latency histograms of every target's hour rollups in [from, to), in one query (the status page's response-time
   * charts). Returns per target: hour start → bucket counts.
   */
  hourLatency(from: number, to: number): Map<string, Map<number, number[]>> {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT g.id id, r.t t, r.latency latency FROM rollup_hour r JOIN targets g ON g.idx = r.target
          WHERE r.t >= ? AND r.t < ? AND r.latency IS NOT NULL`,
      )
      .all(Math.floor(from / HOUR) * HOUR, to) as { id: string; t: number; latency: string }[];
    const out = new Map<string, Map<number, number[]>>();
    for (const r of rows) {
      let perHour = out.get(r.id);
      if (!perHour) {
        perHour = new Map<number, number[]>();
        out.set(r.id, perHour);
      }
      perHour.set(r.t, JSON.parse(r.latency) as number[]);
    }
    return out;
  }

  openIncident(incident: Omit<Incident, "id" | "endedAt" | "maintenance"> & { maintenance?: boolean }): number {
    this.flush();
    return Number(
      this.db
        .prepare(
          "INSERT INTO incidents (target, started_at, root_cause, affected, summary, maintenance) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(
          incident.targetId,
          incident.startedAt,
          incident.rootCause,
          JSON.stringify(incident.affected),
          incident.summary,
          incident.maintenance ? 1 : 0,
        ).lastInsertRowid,
    );
  }

  updateIncident(id: number, fields: { rootCause?: string; affected?: string[]; endedAt?: number }): void {
    this.flush();
    if (fields.rootCause !== undefined)
      this.db.prepare("UPDATE incidents SET root_cause = ? WHERE id = ?").run(fields.rootCause, id);
    if (fields.affected !== undefined)
      this.db.prepare("UPDATE incidents SET affected = ? WHERE id = ?").run(JSON.stringify(fields.affected), id);
    if (fields.endedAt !== undefined)
      this.db.prepare("UPDATE incidents SET ended_at = ? WHERE id = ?").run(fields.endedAt, id);
  }

  incidents(options: { targetId?: string; since?: number; limit?: number; openOnly?: boolean } = {}): Incident[] {
    this.flush();
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (options.targetId) {
      where.push("target = ?");
      args.push(options.targetId);
    }
    if (options.since !== undefined) {
      where.push("(ended_at IS NULL OR ended_at >= ?)");
      args.push(options.since);
    }
    if (options.openOnly) where.push("ended_at IS NULL");
    const rows = this.db
      .prepare(
        `SELECT id, target, started_at, ended_at, root_cause, affected, summary, maintenance FROM incidents
          ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, id DESC LIMIT ?`,
      )
      .all(...args, options.limit ?? 100) as {
      id: number;
      target: string;
      started_at: number;
      ended_at: number | null;
      root_cause: string;
      affected: string;
      summary: string;
      maintenance: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      targetId: r.target,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      rootCause: r.root_cause,
      affected: JSON.parse(r.affected) as string[],
      summary: r.summary,
      maintenance: r.maintenance === 1,
    }));
  }

  /** Inserts or updates alerts by (fingerprint, start): a resolved notification closes the firing row. */
  upsertAlerts(alerts: AlertRecord[], now: number): void {
    this.flush();
    const upsert = this.db.prepare(
      `INSERT INTO alerts (fingerprint, starts_at, ends_at, status, alertname, severity, service, summary, updated_at)
       VALUES (@fingerprint, @startsAt, @endsAt, @status, @alertname, @severity, @service, @summary, @now)
       ON CONFLICT (fingerprint, starts_at) DO UPDATE SET
         ends_at = excluded.ends_at, status = excluded.status, summary = excluded.summary, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      for (const a of alerts) upsert.run({ ...a, now });
    })();
  }

  alerts(options: { firingOnly?: boolean; limit?: number } = {}): AlertRecord[] {
    this.flush();
    return (
      this.db
        .prepare(
          `SELECT fingerprint, starts_at startsAt, ends_at endsAt, status, alertname, severity, service, summary FROM alerts
            ${options.firingOnly ? "WHERE status = 'firing'" : ""} ORDER BY updated_at DESC, starts_at DESC LIMIT ?`,
        )
        .all(options.limit ?? 100) as AlertRecord[]
    ).map((a) => ({ ...a, service: a.service ?? null }));
  }

  recordFailover(targetId: string, at: number, from: string, to: string): void {
    this.flush();
    this.db
      .prepare("INSERT INTO failovers (target, at, from_instance, to_instance) VALUES (?, ?, ?, ?)")
      .run(targetId, at, from, to);
  }

  failovers(targetId?: string, limit = 50): { targetId: string; at: number; from: string; to: string }[] {
    return (
      this.db
        .prepare(
          `SELECT target, at, from_instance, to_instance FROM failovers ${targetId ? "WHERE target = ?" : ""} ORDER BY at DESC LIMIT ?`,
        )
        .all(...(targetId ? [targetId, limit] : [limit])) as {
        target: string;
        at: number;
        from_instance: string;
        to_instance: string;
      }[]
    ).map((r) => ({ targetId: r.target, at: r.at, from: r.from_instance, to: r.to_instance }));
  }

  /** Raw results of a target, newest first (for tests and the API). */
  results(
    targetId: string,
    limit = 100,
  ): { at: number; instance: string; status: Status; durationMs: number; error: string | null }[] {
    this.flush();
    const target = this.targetIds.get(targetId);
    if (target === undefined) return [];
    return (
      this.db
        .prepare(
          `SELECT r.at, i.name instance, r.status, r.duration_ms, r.error FROM results r JOIN instances i ON i.idx = r.instance
            WHERE r.target = ? ORDER BY r.at DESC LIMIT ?`,
        )
        .all(target, limit) as {
        at: number;
        instance: string;
        status: number;
        duration_ms: number;
        error: string | null;
      }[]
    ).map((r) => ({
      at: r.at,
      instance: r.instance,
      status: (["healthy", "degraded", "unhealthy"] as const)[r.status]!,
      durationMs: r.duration_ms,
      error: r.error,
    }));
  }

  /** Deletes what is older than each tier's retention; returns the rows removed per table. */
  applyRetention(
    now: number,
    history: { rawDays: number; minuteDays: number; hourDays: number },
  ): Record<string, number> {
    this.flush();
    const day = 86_400_000;
    const removed = {
      results: this.db.prepare("DELETE FROM results WHERE at < ?").run(now - history.rawDays * day).changes,
      rollup_minute: this.db.prepare("DELETE FROM rollup_minute WHERE t < ?").run(now - history.minuteDays * day)
        .changes,
      rollup_hour: this.db.prepare("DELETE FROM rollup_hour WHERE t < ?").run(now - history.hourDays * day).changes,
      incidents: this.db
        .prepare("DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < ?")
        .run(now - history.hourDays * day).changes,
      alerts: this.db
        .prepare("DELETE FROM alerts WHERE status = 'resolved' AND updated_at < ?")
        .run(now - history.hourDays * day).changes,
      // Synthetic runs are raw results too: same retention.
      synthetic_runs: this.db
        .prepare("DELETE FROM synthetic_runs WHERE started_at < ?")
        .run(now - history.rawDays * day).changes,
    };
    return removed;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
    this.db.close();
  }
}
