/** Hourly latency histograms of every target from the hour rollups (the status page's response-time charts). */
import type { SqliteDatabase } from "./database.js";
import type { LatencyRepository } from "./types.js";

const HOUR = 3_600_000;

export class SqliteLatencyRepository implements LatencyRepository {
  private readonly hours;

  constructor(
    db: SqliteDatabase,
    private readonly beforeRead: () => void,
  ) {
    this.hours = db.prepare(
      `SELECT g.id id, r.t t, r.latency latency FROM rollup_hour r JOIN targets g ON g.idx = r.target
        WHERE r.t >= ? AND r.t < ? AND r.latency IS NOT NULL`,
    );
  }

  /** In one query. The rows are the uptime repository's, which also owns their retention. */
  hourLatency(from: number, to: number): Map<string, Map<number, number[]>> {
    this.beforeRead();
    const rows = this.hours.all(Math.floor(from / HOUR) * HOUR, to) as { id: string; t: number; latency: string }[];
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
}
