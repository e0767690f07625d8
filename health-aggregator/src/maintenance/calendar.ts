/**
 * Maintenance windows: stored in the uptime database (migration 5), mirrored in memory for the windows that can
 * still matter to a check result — active, upcoming, or ended less than a day ago — so the engine asks "is this
 * target in maintenance?" thousands of times a second without touching SQLite.
 *
 * A window covers targets (system names are expanded to their targets when it is created). While it is active its
 * targets' time counts neither as up nor as down, and incidents opened during it are marked as maintenance. History
 * is not rewritten: a window cannot start in the past, and ending or deleting one leaves recorded time as it was.
 */
import type Database from "better-sqlite3";
import type { Interval } from "../store/store.js";

export interface MaintenanceWindow {
  id: number;
  start: number;
  end: number;
  /** True when someone ended it before its planned end (`end` is then when that happened). */
  endedEarly: boolean;
  targets: string[];
  systems: string[];
  reason: string;
  createdBy: string;
  createdAt: number;
  /** Alertmanager silences created for it (empty when no Alertmanager is configured). */
  silenceIds: string[];
}

export type WindowState = "active" | "upcoming" | "past";

export function windowState(window: MaintenanceWindow, now: number): WindowState {
  if (now < window.start) return "upcoming";
  return now < window.end ? "active" : "past";
}

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

/** How long after its end a window stays in memory: the longest gap an observation may cover (2 × interval + timeout). */
const KEEP_AFTER_END_MS = 86_400_000;

export class MaintenanceCalendar {
  /** Windows not ended more than KEEP_AFTER_END_MS ago, by target id. */
  private byTarget = new Map<string, MaintenanceWindow[]>();
  private recent: MaintenanceWindow[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.refresh();
  }

  /** Reloads the in-memory mirror from the database (after every write). */
  private refresh(): void {
    const rows = this.db
      .prepare("SELECT * FROM maintenance_windows WHERE ends_at >= ? ORDER BY starts_at")
      .all(this.now() - KEEP_AFTER_END_MS) as Row[];
    this.recent = rows.map(fromRow);
    const byTarget = new Map<string, MaintenanceWindow[]>();
    for (const w of this.recent) {
      for (const target of w.targets) byTarget.set(target, [...(byTarget.get(target) ?? []), w]);
    }
    this.byTarget = byTarget;
  }

  create(window: Omit<MaintenanceWindow, "id" | "endedEarly" | "createdAt" | "silenceIds">): MaintenanceWindow {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO maintenance_windows (starts_at, ends_at, targets, systems, reason, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          window.start,
          window.end,
          JSON.stringify(window.targets),
          JSON.stringify(window.systems),
          window.reason,
          window.createdBy,
          this.now(),
        ).lastInsertRowid,
    );
    this.refresh();
    return this.get(id)!;
  }

  setSilences(id: number, silenceIds: string[]): void {
    this.db.prepare("UPDATE maintenance_windows SET silence_ids = ? WHERE id = ?").run(JSON.stringify(silenceIds), id);
    this.refresh();
  }

  get(id: number): MaintenanceWindow | undefined {
    const row = this.db.prepare("SELECT * FROM maintenance_windows WHERE id = ?").get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Windows in a state, newest start first for past ones, soonest first otherwise. */
  list(state: WindowState | "all", limit = 100): MaintenanceWindow[] {
    const now = this.now();
    const where = {
      active: "WHERE starts_at <= @now AND ends_at > @now ORDER BY starts_at",
      upcoming: "WHERE starts_at > @now ORDER BY starts_at",
      past: "WHERE ends_at <= @now ORDER BY ends_at DESC",
      all: "ORDER BY starts_at DESC",
    }[state];
    return (
      this.db.prepare(`SELECT * FROM maintenance_windows ${where} LIMIT @limit`).all({ now, limit }) as Row[]
    ).map(fromRow);
  }

  /** Ends an active window now; returns it, or undefined when it was not active. */
  endNow(id: number): MaintenanceWindow | undefined {
    const now = this.now();
    const changed = this.db
      .prepare(
        "UPDATE maintenance_windows SET ends_at = ?, ended_early = 1 WHERE id = ? AND starts_at <= ? AND ends_at > ?",
      )
      .run(now, id, now, now).changes;
    this.refresh();
    return changed === 1 ? this.get(id) : undefined;
  }

  delete(id: number): boolean {
    const changed = this.db.prepare("DELETE FROM maintenance_windows WHERE id = ?").run(id).changes;
    this.refresh();
    return changed === 1;
  }

  /** True when the target is inside an active window at `at`. */
  isActive(targetId: string, at: number): boolean {
    return this.byTarget.get(targetId)?.some((w) => w.start <= at && at < w.end) ?? false;
  }

  /** The target's windows as intervals (recent, active and upcoming), for splitting observed time. */
  intervals(targetId: string): Interval[] {
    return (this.byTarget.get(targetId) ?? []).map((w) => ({ start: w.start, end: w.end }));
  }

  /** Windows active at `at` (from memory). */
  active(at: number): MaintenanceWindow[] {
    return this.recent.filter((w) => w.start <= at && at < w.end);
  }

  /** Windows starting after `at` (from memory). */
  upcoming(at: number): MaintenanceWindow[] {
    return this.recent.filter((w) => w.start > at);
  }

  /** Drops windows that ended long ago from memory (called now and then; the database keeps them). */
  prune(): void {
    this.refresh();
  }
}
