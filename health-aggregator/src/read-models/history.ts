/** A target's history over a window (availability, time per state, latency, incidents), and the incident list. */
import type { Incident, IncidentRepository, UptimeRepository } from "../store/types.js";
import { iso, isoAt } from "./time.js";

/** The windows /api/v1/targets/:id/history knows, by name. */
export const HISTORY_WINDOWS = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
  "1y": 365 * 86_400_000,
} as const;

export type HistoryWindow = keyof typeof HISTORY_WINDOWS;

export interface HistoryDeps {
  uptime: Pick<UptimeRepository, "availability">;
  incidents: Pick<IncidentRepository, "list">;
  /** Whether a target of this id is configured. */
  known: (targetId: string) => boolean;
  now: () => number;
}

export function incidentView(i: Incident) {
  return { ...i, startedAt: isoAt(i.startedAt), endedAt: iso(i.endedAt) };
}

export class HistoryReadModel {
  constructor(private readonly deps: HistoryDeps) {}

  /** Undefined for a target that is not configured. */
  history(targetId: string, window: HistoryWindow) {
    if (!this.deps.known(targetId)) return undefined;
    const to = this.deps.now();
    const from = to - HISTORY_WINDOWS[window];
    const a = this.deps.uptime.availability(targetId, from, to);
    return {
      targetId,
      window,
      from: isoAt(from),
      to: isoAt(to),
      availability: a.availability,
      upSeconds: a.upMs / 1000,
      degradedSeconds: a.degradedMs / 1000,
      downSeconds: a.downMs / 1000,
      maintenanceSeconds: a.maintenanceMs / 1000,
      noDataSeconds: a.noDataMs / 1000,
      latency: a.latency,
      incidents: this.deps.incidents.list({ targetId, since: from, limit: 100 }).map(incidentView),
    };
  }

  incidents(options: { openOnly: boolean; limit: number }) {
    return this.deps.incidents.list(options).map(incidentView);
  }
}
