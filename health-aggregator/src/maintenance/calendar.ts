/**
 * Maintenance windows: stored through a MaintenanceRepository (repository.ts on SQLite), mirrored in memory for the
 * windows that can still matter to a check result — active, upcoming, or ended less than a day ago — so the engine
 * asks "is this target in maintenance?" thousands of times a second without touching the database.
 *
 * A window covers targets (system names are expanded to their targets when it is created). While it is active its
 * targets' time counts neither as up nor as down, and incidents opened during it are marked as maintenance. History
 * is not rewritten: a window cannot start in the past, and ending or deleting one leaves recorded time as it was.
 */
import type { Interval, MaintenanceRepository, MaintenanceWindow, WindowState } from "../store/types.js";

export type { MaintenanceWindow, WindowState } from "../store/types.js";

export function windowState(window: MaintenanceWindow, now: number): WindowState {
  if (now < window.start) return "upcoming";
  return now < window.end ? "active" : "past";
}

/** How long after its end a window stays in memory: the longest gap an observation may cover (2 × interval + timeout). */
const KEEP_AFTER_END_MS = 86_400_000;

export class MaintenanceCalendar {
  /** Windows not ended more than KEEP_AFTER_END_MS ago, by target id. */
  private byTarget = new Map<string, MaintenanceWindow[]>();
  private recent: MaintenanceWindow[] = [];

  constructor(
    private readonly repository: MaintenanceRepository,
    private readonly now: () => number,
  ) {
    this.refresh();
  }

  /** Reloads the in-memory mirror from the repository (after every write). */
  private refresh(): void {
    this.recent = this.repository.endingSince(this.now() - KEEP_AFTER_END_MS);
    const byTarget = new Map<string, MaintenanceWindow[]>();
    for (const w of this.recent) {
      for (const target of w.targets) byTarget.set(target, [...(byTarget.get(target) ?? []), w]);
    }
    this.byTarget = byTarget;
  }

  create(window: Omit<MaintenanceWindow, "id" | "endedEarly" | "createdAt" | "silenceIds">): MaintenanceWindow {
    const id = this.repository.insert({ ...window, createdAt: this.now() });
    this.refresh();
    return this.get(id)!;
  }

  setSilences(id: number, silenceIds: string[]): void {
    this.repository.setSilences(id, silenceIds);
    this.refresh();
  }

  get(id: number): MaintenanceWindow | undefined {
    return this.repository.get(id);
  }

  /** Windows in a state, newest start first for past ones, soonest first otherwise. */
  list(state: WindowState | "all", limit = 100): MaintenanceWindow[] {
    return this.repository.list(state, this.now(), limit);
  }

  /** Ends an active window now; returns it, or undefined when it was not active. */
  endNow(id: number): MaintenanceWindow | undefined {
    const ended = this.repository.endEarly(id, this.now());
    this.refresh();
    return ended ? this.get(id) : undefined;
  }

  delete(id: number): boolean {
    const deleted = this.repository.delete(id);
    this.refresh();
    return deleted;
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
