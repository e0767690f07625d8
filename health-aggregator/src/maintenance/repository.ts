/** Maintenance windows in the uptime database (migration 5), with the silences created for them. */
import type { SqliteDatabase } from "../store/database.js";
import type {
  MaintenanceRepository,
  MaintenanceWindow,
  Removed,
  RetentionPolicy,
  WindowState,
} from "../store/types.js";

const DAY = 86_400_000;

interface Row {
  id: number;
  starts_at: number;
  ends_at: number;
  ended_early: number;
  targets: string;
  systems: string;
  reason: string;
  created_by: string;
  created_at: number;
  silence_ids: string;
}

function fromRow(r: Row): MaintenanceWindow {
  return {
    id: r.id,
    start: r.starts_at,
    end: r.ends_at,
    endedEarly: r.ended_early === 1,
    targets: JSON.parse(r.targets) as string[],
    systems: JSON.parse(r.systems) as string[],
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    silenceIds: JSON.parse(r.silence_ids) as string[],
  };
}

export class SqliteMaintenanceRepository implements MaintenanceRepository {
  private readonly insertOne;
  private readonly updateSilences;
  private readonly byId;
  private readonly byState;
  private readonly ending;
  private readonly endOne;
  private readonly deleteOne;
  private readonly retention;

  constructor(db: SqliteDatabase) {
    this.insertOne = db.prepare(
      `INSERT INTO maintenance_windows (starts_at, ends_at, targets, systems, reason, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateSilences = db.prepare("UPDATE maintenance_windows SET silence_ids = ? WHERE id = ?");
    this.byId = db.prepare("SELECT * FROM maintenance_windows WHERE id = ?");
    const list = (where: string) => db.prepare(`SELECT * FROM maintenance_windows ${where} LIMIT @limit`);
    this.byState = {
      active: list("WHERE starts_at <= @now AND ends_at > @now ORDER BY starts_at"),
      upcoming: list("WHERE starts_at > @now ORDER BY starts_at"),
      past: list("WHERE ends_at <= @now ORDER BY ends_at DESC"),
      all: list("ORDER BY starts_at DESC"),
    };
    this.ending = db.prepare("SELECT * FROM maintenance_windows WHERE ends_at >= ? ORDER BY starts_at");
    this.endOne = db.prepare(
      "UPDATE maintenance_windows SET ends_at = ?, ended_early = 1 WHERE id = ? AND starts_at <= ? AND ends_at > ?",
    );
    this.deleteOne = db.prepare("DELETE FROM maintenance_windows WHERE id = ?");
    this.retention = db.prepare("DELETE FROM maintenance_windows WHERE ends_at < ?");
  }

  insert(window: Omit<MaintenanceWindow, "id" | "endedEarly" | "silenceIds">): number {
    return Number(
      this.insertOne.run(
        window.start,
        window.end,
        JSON.stringify(window.targets),
        JSON.stringify(window.systems),
        window.reason,
        window.createdBy,
        window.createdAt,
      ).lastInsertRowid,
    );
  }

  setSilences(id: number, silenceIds: readonly string[]): void {
    this.updateSilences.run(JSON.stringify(silenceIds), id);
  }

  get(id: number): MaintenanceWindow | undefined {
    const row = this.byId.get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(state: WindowState | "all", now: number, limit: number): MaintenanceWindow[] {
    return (this.byState[state].all({ now, limit }) as Row[]).map(fromRow);
  }

  endingSince(since: number): MaintenanceWindow[] {
    return (this.ending.all(since) as Row[]).map(fromRow);
  }

  endEarly(id: number, now: number): boolean {
    return this.endOne.run(now, id, now, now).changes === 1;
  }

  delete(id: number): boolean {
    return this.deleteOne.run(id).changes === 1;
  }

  /** A window's record goes with the hour rollups whose time it explains. */
  applyRetention(now: number, policy: RetentionPolicy): Removed {
    return { maintenance_windows: this.retention.run(now - policy.hourDays * DAY).changes };
  }
}
