/**
 * The public /status page, rendered on the server: complete and readable without JavaScript, refreshed every 30 s
 * when JavaScript runs. Everything interpolated is escaped; nothing internal (URLs, errors, stack traces) is shown —
 * only names from config, states, times and availability.
 */
import type { Status } from "../checks/types.js";
import type { AlertRecord, DailyBar, Incident } from "../store/types.js";
import type { SyntheticsPageModel } from "../read-models/synthetics-page.js";
import { renderSynthetics, SYNTHETICS_CSS } from "../synthetics/render.js";
import { escapeHtml } from "./html.js";
import { type LatencyPoint, responseTimeChart } from "./response-chart.js";

export { escapeHtml };

/** A maintenance window as the public page shows it: names from config, times and the reason given. */
export interface MaintenanceNotice {
  state: "active" | "upcoming";
  start: number;
  end: number;
  reason: string;
  /** Names of the system's public targets it covers. */
  targets: string[];
}

export interface StatusPageModel {
  title: string;
  generatedAt: number;
  systems: {
    name: string;
    /** One per day, oldest first: the system's public targets together. */
    bars: DailyBar[];
    targets: {
      id: string;
      name: string;
      status: Status | "unknown";
      since: number | null;
      latencyMs: number | null;
      availability30d: number | null;
      /** In an active maintenance window. */
      maintenance?: boolean;
    }[];
    /** The last 24 hours of latency histograms, oldest first. */
    latency?: LatencyPoint[];
    /** Active and upcoming maintenance of this system's public targets. */
    maintenance?: MaintenanceNotice[];
  }[];
  openIncidents: Incident[];
  recentIncidents: Incident[];
  targetNames: Map<string, string>;
  activeAlerts: AlertRecord[];
  /** Synthetic flows and their latest runs (omitted or empty: no section). */
  synthetics?: SyntheticsPageModel;
}

const LABEL: Record<Status | "unknown", string> = {
  healthy: "Operational",
  degraded: "Degraded",
  unhealthy: "Down",
  unknown: "No data yet",
};

function percent(value: number | null): string {
  if (value === null) return "no data";
  const p = value * 100;
  return `${p >= 99.995 ? "100" : p.toFixed(2)}%`;
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

function barClass(bar: DailyBar): string {
  if (bar.availability === null) return "none";
  if (bar.availability >= 0.999) return "ok";
  if (bar.availability >= 0.99) return "warn";
  return "bad";
}

function bars(system: StatusPageModel["systems"][number]): string {
  const cells = system.bars
    .map((bar) => {
      const detail = `${bar.day}: ${bar.availability === null ? "no data" : `${percent(bar.availability)} available`}${bar.downMs > 0 ? `, down ${duration(bar.downMs)}` : ""}`;
      // Focusable with a label: the detail is reachable by keyboard and screen readers, and shows on hover or tap.
      return `<li class="bar ${barClass(bar)}" tabindex="0" title="${escapeHtml(detail)}" aria-label="${escapeHtml(detail)}"></li>`;
    })
    .join("");
  return `<ol class="bars" aria-label="Daily availability of ${escapeHtml(system.name)}, last ${system.bars.length} days">${cells}</ol>`;
}

function maintenanceNotices(notices: MaintenanceNotice[] | undefined): string {
  if (!notices?.length) return "";
  const item = (n: MaintenanceNotice) =>
    `<li class="maintenance ${n.state}"><p><strong>${n.state === "active" ? "Under maintenance" : "Scheduled maintenance"}</strong> ${n.state === "active" ? "until" : `from <time datetime="${new Date(n.start).toISOString()}">${when(n.start)}</time> to`} <time datetime="${new Date(n.end).toISOString()}">${when(n.end)}</time>: ${escapeHtml(n.reason)} <span class="meta">(${n.targets.map(escapeHtml).join(", ")})</span></p></li>`;
  return `<ul class="notices">${notices.map(item).join("")}</ul>`;
}

function incidentItem(incident: Incident, names: Map<string, string>): string {
  const name = (id: string) => escapeHtml(names.get(id) ?? id);
  const affected = incident.affected.filter((id) => id !== incident.rootCause);
  return `<li class="incident">
      <p><strong>${name(incident.targetId)}</strong>${incident.maintenance ? " (during maintenance)" : ""} — ${incident.endedAt === null ? "ongoing since" : "from"} <time datetime="${new Date(incident.startedAt).toISOString()}">${when(incident.startedAt)}</time>${incident.endedAt !== null ? `, resolved after ${duration(incident.endedAt - incident.startedAt)}` : ""}</p>
      <p>Root cause: <strong>${name(incident.rootCause)}</strong>${affected.length ? `; also affected: ${affected.map(name).join(", ")}` : ""}</p>
    </li>`;
}

/** Open incidents sharing a root cause are one event for a reader: merge them, earliest start, every affected target. */
function groupByRootCause(incidents: Incident[]): Incident[] {
  const groups = new Map<string, Incident>();
  for (const incident of incidents) {
    const group = groups.get(incident.rootCause);
    if (!group) {
      groups.set(incident.rootCause, { ...incident, targetId: incident.rootCause, affected: [...incident.affected] });
      continue;
    }
    group.startedAt = Math.min(group.startedAt, incident.startedAt);
    for (const id of [incident.targetId, ...incident.affected])
      if (!group.affected.includes(id)) group.affected.push(id);
  }
  return [...groups.values()];
}

export function renderStatusPage(model: StatusPageModel): string {
  const all = model.systems.flatMap((s) => s.targets);
  const worst = all.some((t) => t.status === "unhealthy")
    ? "unhealthy"
    : all.some((t) => t.status === "degraded")
      ? "degraded"
      : "healthy";
  const headline = {
    healthy: "All systems operational",
    degraded: "Some systems are degraded",
    unhealthy: "Some systems are down",
  }[worst];
  const systems = model.systems
    .map(
      (system, index) => `<section class="system" aria-labelledby="sys-${index}">
    <h2 id="sys-${index}">${escapeHtml(system.name)}</h2>
    ${maintenanceNotices(system.maintenance)}
    ${bars(system)}
    ${system.latency ? responseTimeChart(system.name, index, system.latency) : ""}
    <ul class="targets">${system.targets
      .map(
        (t) => `<li class="target" data-target="${escapeHtml(t.id)}">
        <div class="row">
          <span class="name">${escapeHtml(t.name)}</span>
          <span class="state ${t.status}"><span class="dot" aria-hidden="true"></span>${LABEL[t.status]}${t.maintenance ? " · maintenance" : ""}</span>
        </div>
        <p class="meta">30 days: ${percent(t.availability30d)}${t.latencyMs !== null ? ` · last response ${Math.round(t.latencyMs)} ms` : ""}${t.since !== null ? ` · since ${when(t.since)}` : ""}</p>
      </li>`,
      )
      .join("")}</ul>
  </section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>
  :root { color-scheme: light; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --none: #8c959f; --fg: #1f2328; --muted: #57606a; }
  body { font: 16px/1.5 system-ui, sans-serif; color: var(--fg); margin: 0; background: #fff; }
  header, main, footer { max-width: 56rem; margin: 0 auto; padding: 1rem; }
  .banner { padding: 1rem; border-radius: .5rem; color: #fff; font-weight: 600; }
  .banner.healthy { background: var(--ok); } .banner.degraded { background: var(--warn); } .banner.unhealthy { background: var(--bad); }
  .targets, .bars, .incidents { list-style: none; padding: 0; margin: 0; }
  .target { padding: .75rem 0; border-bottom: 1px solid #d0d7de; }
  .row { display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
  .name { font-weight: 600; }
  .state.healthy { color: var(--ok); } .state.degraded { color: var(--warn); } .state.unhealthy { color: var(--bad); } .state.unknown { color: var(--muted); }
  .dot { display: inline-block; width: .6rem; height: .6rem; border-radius: 50%; background: currentColor; margin-right: .4rem; }
  .bars { display: flex; gap: 2px; margin: .5rem 0 .25rem; height: 2rem; }
  .bar { flex: 1; border-radius: 2px; min-width: 2px; }
  .bar.ok { background: var(--ok); } .bar.warn { background: var(--warn); } .bar.bad { background: var(--bad); } .bar.none { background: #d0d7de; }
  .bar:focus { outline: 2px solid var(--fg); outline-offset: 1px; }
  .meta { color: var(--muted); font-size: .875rem; margin: 0; }
  .incident { padding: .5rem 0; border-bottom: 1px solid #d0d7de; } .incident p { margin: .25rem 0; }
  .notices { list-style: none; padding: 0; margin: .5rem 0; } .maintenance p { margin: .25rem 0; padding: .5rem .75rem; border-left: 4px solid #0969da; background: #ddf4ff; }
  .chart { margin: .75rem 0 .25rem; } .chart svg { width: 100%; height: 7.5rem; display: block; }
  .chart text { font-size: 11px; fill: var(--muted); } .chart .grid { stroke: #d0d7de; stroke-width: 1; }
  .chart path { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; } .chart path.p50 { stroke: #0969da; } .chart path.p95 { stroke: #8250df; stroke-dasharray: 4 3; }
  .chart figcaption { color: var(--muted); font-size: .875rem; } .key.p50 { color: #0969da; } .key.p95 { color: #8250df; }
  @media (max-width: 30rem) { .bars { height: 1.5rem; gap: 1px; } }
${SYNTHETICS_CSS}
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(model.title)}</h1>
  <p class="banner ${worst}" role="status">${headline}</p>
</header>
<main>
${systems}
${renderSynthetics(model.synthetics ?? [])}
  <section aria-labelledby="incidents-open">
    <h2 id="incidents-open">Ongoing incidents</h2>
    ${
      model.openIncidents.length
        ? `<ul class="incidents">${groupByRootCause(model.openIncidents)
            .map((i) => incidentItem(i, model.targetNames))
            .join("")}</ul>`
        : "<p>None.</p>"
    }
  </section>
  <section aria-labelledby="alerts-active">
    <h2 id="alerts-active">Active alerts</h2>
    ${
      model.activeAlerts.length
        ? `<ul class="incidents">${model.activeAlerts
            .map(
              (a) =>
                `<li class="incident alert"><p><strong>${escapeHtml(a.severity)}</strong> — ${escapeHtml(a.summary || a.alertname)}, since <time datetime="${new Date(a.startsAt).toISOString()}">${when(a.startsAt)}</time></p></li>`,
            )
            .join("")}</ul>`
        : "<p>None.</p>"
    }
  </section>
  <section aria-labelledby="incidents-recent">
    <h2 id="incidents-recent">Resolved in the last 14 days</h2>
    ${model.recentIncidents.length ? `<ul class="incidents">${model.recentIncidents.map((i) => incidentItem(i, model.targetNames)).join("")}</ul>` : "<p>None.</p>"}
  </section>
</main>
<footer>
  <p class="meta">Updated <time datetime="${new Date(model.generatedAt).toISOString()}">${when(model.generatedAt)}</time>. This page refreshes itself every 30 seconds.</p>
</footer>
<script>setTimeout(function () { location.reload(); }, 30000);</script>
</body>
</html>
`;
}
