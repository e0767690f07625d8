/** Alert history in the uptime database (migration 3): one row per alert instance, by fingerprint and start. */
import type { SqliteDatabase } from "../store/database.js";
import type { AlertHistoryRepository, AlertRecord, Removed, RetentionPolicy } from "../store/types.js";

const DAY = 86_400_000;

export class SqliteAlertHistoryRepository implements AlertHistoryRepository {
  private readonly upsertOne;
  private readonly upsertAll;
  private readonly all;
  private readonly firing;
  private readonly retention;

  constructor(db: SqliteDatabase) {
    this.upsertOne = db.prepare(
      `INSERT INTO alerts (fingerprint, starts_at, ends_at, status, alertname, severity, service, summary, updated_at)
       VALUES (@fingerprint, @startsAt, @endsAt, @status, @alertname, @severity, @service, @summary, @now)
       ON CONFLICT (fingerprint, starts_at) DO UPDATE SET
         ends_at = excluded.ends_at, status = excluded.status, summary = excluded.summary, updated_at = excluded.updated_at`,
    );
    this.upsertAll = db.transaction((alerts: readonly AlertRecord[], now: number) => {
      for (const a of alerts) this.upsertOne.run({ ...a, now });
    });
    const select = (where: string) =>
      db.prepare(
        `SELECT fingerprint, starts_at startsAt, ends_at endsAt, status, alertname, severity, service, summary FROM alerts
          ${where} ORDER BY updated_at DESC, starts_at DESC LIMIT ?`,
      );
    this.all = select("");
    this.firing = select("WHERE status = 'firing'");
    this.retention = db.prepare("DELETE FROM alerts WHERE status = 'resolved' AND updated_at < ?");
  }

  upsert(alerts: readonly AlertRecord[], now: number): void {
    this.upsertAll(alerts, now);
  }

  list(options: { firingOnly?: boolean; limit?: number } = {}): AlertRecord[] {
    const rows = (options.firingOnly ? this.firing : this.all).all(options.limit ?? 100) as AlertRecord[];
    return rows.map((a) => ({ ...a, service: a.service ?? null }));
  }

  /** Resolved alerts are kept as long as the hour rollups; firing ones until they resolve. */
  applyRetention(now: number, policy: RetentionPolicy): Removed {
    return { alerts: this.retention.run(now - policy.hourDays * DAY).changes };
  }
}
