/**
 * The write path of check results: raw results and the time-weighted minute, hour and day rollups. Writes are queued
 * and committed in one transaction per flush (every second, or sooner when the queue is long).
 *
 * Availability is time-weighted: each observation of a target covers the time until the next one, but never more
 * than `maxGapMs` — beyond that the aggregator was not looking, and the time is "no data", neither up nor down.
 */
import { type CheckResult, STATUS_CODE, type Status } from "../checks/types.js";
import type { SqliteDatabase } from "./database.js";
import { bucketOf, emptyHistogram } from "./histogram.js";
import type { TargetIndex } from "./targets.js";
import type { Interval, Observation, ResultWriter } from "./types.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

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

type Op =
  | { kind: "result"; result: CheckResult }
  | { kind: "span"; target: number; span: Span; latency: { at: number; ms: number } };

interface Bucket {
  up: number;
  degraded: number;
  down: number;
  maintenance: number;
  latency: number[];
}

interface RollupRow {
  up_ms: number;
  degraded_ms: number;
  down_ms: number;
  maintenance_ms: number;
  latency: string | null;
}

export class UptimeWriter implements ResultWriter {
  private readonly last = new Map<string, LastObservation>();
  private queue: Op[] = [];
  private readonly insertResult;
  /** Per tier: its size, whether it keeps latency, and its read and write statements. */
  private readonly tiers;
  private readonly commit: (ops: Op[]) => void;

  constructor(
    db: SqliteDatabase,
    private readonly ids: TargetIndex,
    private readonly maxQueue = 2_000,
  ) {
    this.insertResult = db.prepare(
      "INSERT OR REPLACE INTO results (target, at, instance, status, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
    );
    // Latency histograms live in hour and day rollups only: percentiles over 24 h or more do not need minute
    // resolution, and leaving them out keeps minute rows small (the bulk of a target's storage).
    this.tiers = (
      [
        [MINUTE, "rollup_minute", false],
        [HOUR, "rollup_hour", true],
        [DAY, "rollup_day", true],
      ] as const
    ).map(([size, table, keepLatency]) => ({
      size,
      keepLatency,
      get: db.prepare(
        `SELECT up_ms, degraded_ms, down_ms, maintenance_ms, latency FROM ${table} WHERE target = ? AND t = ?`,
      ),
      put: db.prepare(
        `INSERT OR REPLACE INTO ${table} (target, t, up_ms, degraded_ms, down_ms, maintenance_ms, latency) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    }));
    this.commit = db.transaction((ops: Op[]) => {
      for (const op of ops) {
        if (op.kind === "result") this.writeResult(op.result);
        else this.applySpan(op.target, op.span, op.latency);
      }
    });
  }

  addResult(result: CheckResult): void {
    this.queue.push({ kind: "result", result });
    if (this.queue.length >= this.maxQueue) this.flush();
  }

  observe(observation: Observation): void {
    const previous = this.last.get(observation.targetId);
    const target = this.ids.target(observation.targetId);
    const latency = { at: observation.at, ms: observation.latencyMs };
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
        latency,
      });
    } else {
      this.queue.push({
        kind: "span",
        target,
        span: { start: observation.at, end: observation.at, status: observation.status, maintenance: false },
        latency,
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

  flush(): void {
    if (this.queue.length === 0) return;
    const ops = this.queue;
    this.queue = [];
    this.commit(ops);
  }

  private writeResult(r: CheckResult): void {
    this.insertResult.run(
      this.ids.target(r.targetId),
      Math.round(r.at),
      this.ids.instance(r.targetId, r.instance),
      STATUS_CODE[r.status],
      Math.round(r.durationMs),
      r.error ?? null,
    );
  }

  private applySpan(target: number, span: Span, latency: { at: number; ms: number }): void {
    for (const { size, keepLatency, get, put } of this.tiers) {
      const touched = new Map<number, Bucket>();
      const bucket = (t: number): Bucket => {
        let b = touched.get(t);
        if (!b) {
          const row = get.get(target, t) as RollupRow | undefined;
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
      if (keepLatency) {
        const b = bucket(Math.floor(latency.at / size) * size);
        b.latency[bucketOf(latency.ms)]! += 1;
      }
      for (const [t, b] of touched) {
        put.run(target, t, b.up, b.degraded, b.down, b.maintenance, keepLatency ? JSON.stringify(b.latency) : null);
      }
    }
  }
}
