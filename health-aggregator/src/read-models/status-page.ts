/**
 * The status page's model: per system, 90 daily bars summed over its public targets (observed time weighted), a row
 * per target with its state and 30-day availability, the last 24 hours of latency, maintenance notices, incidents,
 * alerts and the synthetic flows. Finished days and hours cannot change, so their sums are computed once per UTC day
 * (or hour) and after a reload; each request reads only today's rollups — the page costs about the same with five
 * targets or thousands.
 */
import type { TargetConfig } from "../config/load.js";
import type { TargetState } from "../engine/state.js";
import type { MaintenanceNotice, StatusPageModel } from "../status-page/render.js";
import type {
  AlertHistoryRepository,
  DayTotals,
  Incident,
  IncidentRepository,
  LatencyRepository,
  MaintenanceWindow,
  UptimeRepository,
} from "../store/types.js";
import { latencyBySystem, type PastHours } from "./latency.js";
import type { SyntheticsPageModel } from "./synthetics-page.js";

const DAY = 86_400_000;
const DAYS = 90;

export interface StatusPageDeps {
  states: ReadonlyMap<string, TargetState>;
  uptime: Pick<UptimeRepository, "dayRollups">;
  latency: LatencyRepository;
  incidents: Pick<IncidentRepository, "list">;
  alerts: Pick<AlertHistoryRepository, "list">;
  maintenance: {
    isActive(targetId: string, at: number): boolean;
    active(at: number): MaintenanceWindow[];
    upcoming(at: number): MaintenanceWindow[];
  };
  synthetics: () => SyntheticsPageModel;
  title: string;
  now: () => number;
}

interface PastDays {
  today: number;
  systems: Map<string, DayTotals[]>;
  targets30d: Map<string, { up: number; observed: number }>;
}

const emptyTotals = (): DayTotals => ({ up: 0, degraded: 0, down: 0, maintenance: 0 });

function addTotals(into: DayTotals, add: DayTotals): void {
  into.up += add.up;
  into.degraded += add.degraded;
  into.down += add.down;
  into.maintenance += add.maintenance;
}

export class StatusPageReadModel {
  private pastDaysCache: PastDays | undefined;
  private readonly pastHours: PastHours = { cache: undefined };

  constructor(private readonly deps: StatusPageDeps) {}

  /** A reload changed which targets are public or in which system: the cached sums are stale. */
  invalidate(): void {
    this.pastDaysCache = undefined;
    this.pastHours.cache = undefined;
  }

  model(): StatusPageModel {
    const { deps } = this;
    const now = deps.now();
    const today = Math.floor(now / DAY) * DAY;
    const publicTargets = [...deps.states.values()].filter((s) => s.config.public);
    const past = this.pastDays(today, publicTargets);
    const current = deps.uptime.dayRollups(now, 1);
    const systems = new Map<string, StatusPageModel["systems"][number]>();
    const todayBySystem = new Map<string, DayTotals>();
    for (const state of publicTargets) {
      const name = state.config.system;
      let system = systems.get(name);
      if (!system) {
        system = { name, bars: [], targets: [] };
        systems.set(name, system);
        todayBySystem.set(name, emptyTotals());
      }
      const t = current.get(state.config.id)?.get(today);
      if (t) addTotals(todayBySystem.get(name)!, t);
      const before = past.targets30d.get(state.config.id) ?? { up: 0, observed: 0 };
      const up30 = before.up + (t ? t.up + t.degraded : 0);
      const observed30 = before.observed + (t ? t.up + t.degraded + t.down : 0);
      system.targets.push({
        id: state.config.id,
        name: state.config.name,
        status: state.confirmed ?? "unknown",
        since: state.since ?? null,
        latencyMs: state.lastResult?.durationMs ?? null,
        availability30d: observed30 > 0 ? up30 / observed30 : null,
        maintenance: deps.maintenance.isActive(state.config.id, now),
      });
    }
    const latency = latencyBySystem(deps.latency, this.pastHours, now, publicTargets);
    const notices = this.maintenanceBySystem(now, publicTargets);
    for (const [name, system] of systems) {
      system.latency = latency.get(name) ?? [];
      system.maintenance = notices.get(name) ?? [];
      const history = past.systems.get(name) ?? [];
      const totals = [
        ...Array.from({ length: DAYS - 1 }, (_, i) => history[i] ?? emptyTotals()),
        todayBySystem.get(name)!,
      ];
      system.bars = totals.map((t, i) => {
        const observed = t.up + t.degraded + t.down;
        return {
          day: new Date(today - (DAYS - 1 - i) * DAY).toISOString().slice(0, 10),
          availability: observed > 0 ? (t.up + t.degraded) / observed : null,
          downMs: t.down / Math.max(1, system.targets.length),
          noDataMs: 0,
        };
      });
    }
    const names = new Map(publicTargets.map((s) => [s.config.id, s.config.name]));
    const visible = (i: Incident) => names.has(i.targetId);
    return {
      title: deps.title,
      generatedAt: now,
      systems: [...systems.values()],
      openIncidents: deps.incidents.list({ openOnly: true, limit: 50 }).filter(visible),
      recentIncidents: deps.incidents
        .list({ since: now - 14 * DAY, limit: 20 })
        .filter((i) => visible(i) && i.endedAt !== null),
      targetNames: names,
      // Watchdog-style alerts (severity none) prove the pipeline works; they are not news for the public.
      activeAlerts: deps.alerts.list({ firingOnly: true, limit: 20 }).filter((a) => a.severity !== "none"),
      synthetics: deps.synthetics(),
    };
  }

  /** Active and upcoming maintenance per system, naming only the system's public targets (from memory). */
  private maintenanceBySystem(
    now: number,
    publicTargets: { config: TargetConfig }[],
  ): Map<string, MaintenanceNotice[]> {
    const byId = new Map(publicTargets.map((s) => [s.config.id, s.config]));
    const out = new Map<string, MaintenanceNotice[]>();
    for (const w of [...this.deps.maintenance.active(now), ...this.deps.maintenance.upcoming(now)]) {
      const bySystem = new Map<string, string[]>();
      for (const id of w.targets) {
        const target = byId.get(id);
        if (target) bySystem.set(target.system, [...(bySystem.get(target.system) ?? []), target.name]);
      }
      for (const [system, targets] of bySystem) {
        const notice: MaintenanceNotice = {
          state: w.start <= now ? "active" : "upcoming",
          start: w.start,
          end: w.end,
          reason: w.reason,
          targets,
        };
        out.set(system, [...(out.get(system) ?? []), notice]);
      }
    }
    return out;
  }

  /** Per-system totals of the days before today, and per-target sums of the 29 days before today; cached per day. */
  private pastDays(today: number, publicTargets: TargetState[]): PastDays {
    if (this.pastDaysCache?.today === today) return this.pastDaysCache;
    const rollups = this.deps.uptime.dayRollups(today - 1, DAYS - 1);
    const systems = new Map<string, DayTotals[]>();
    const targets30d = new Map<string, { up: number; observed: number }>();
    for (const state of publicTargets) {
      const perDay = rollups.get(state.config.id);
      let totals = systems.get(state.config.system);
      if (!totals) {
        totals = Array.from({ length: DAYS - 1 }, () => emptyTotals());
        systems.set(state.config.system, totals);
      }
      const sums = { up: 0, observed: 0 };
      for (let i = 0; i < DAYS - 1; i++) {
        const r = perDay?.get(today - (DAYS - 1 - i) * DAY);
        if (!r) continue;
        addTotals(totals[i]!, r);
        if (i >= DAYS - 30) {
          sums.up += r.up + r.degraded;
          sums.observed += r.up + r.degraded + r.down;
        }
      }
      targets30d.set(state.config.id, sums);
    }
    this.pastDaysCache = { today, systems, targets30d };
    return this.pastDaysCache;
  }
}
