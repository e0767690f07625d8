/** Failovers from a primary to a secondary instance, as the engine's state machine reports them. */
import type { SqliteDatabase } from "./database.js";
import type { Failover, FailoverRepository, Removed, RetentionPolicy } from "./types.js";

const DAY = 86_400_000;

interface Row {
  target: string;
  at: number;
  from_instance: string;
  to_instance: string;
}

export class SqliteFailoverRepository implements FailoverRepository {
  private readonly insert;
  private readonly ofTarget;
  private readonly ofAll;
  private readonly retention;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare("INSERT INTO failovers (target, at, from_instance, to_instance) VALUES (?, ?, ?, ?)");
    const columns = "SELECT target, at, from_instance, to_instance FROM failovers";
    this.ofTarget = db.prepare(`${columns} WHERE target = ? ORDER BY at DESC LIMIT ?`);
    this.ofAll = db.prepare(`${columns} ORDER BY at DESC LIMIT ?`);
    this.retention = db.prepare("DELETE FROM failovers WHERE at < ?");
  }

  record(failover: Failover): void {
    this.insert.run(failover.targetId, failover.at, failover.from, failover.to);
  }

  list(targetId?: string, limit = 50): Failover[] {
    const rows = (targetId ? this.ofTarget.all(targetId, limit) : this.ofAll.all(limit)) as Row[];
    return rows.map((r) => ({ targetId: r.target, at: r.at, from: r.from_instance, to: r.to_instance }));
  }

  /** Kept as long as the hour rollups, like incidents. */
  applyRetention(now: number, policy: RetentionPolicy): Removed {
    return { failovers: this.retention.run(now - policy.hourDays * DAY).changes };
  }
}
