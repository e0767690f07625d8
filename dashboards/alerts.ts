/**
 * Alerts: what is firing and pending now, what fired recently, what Alertmanager did with it (notifications, failures,
 * silences), and links into Grafana's alerting pages for the Lookout Alertmanager datasource (alert groups,
 * silences, contact points and notification policies), where alerts are silenced and receivers inspected.
 */
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as Table } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as Text, TextMode } from "@grafana/grafana-foundation-sdk/text";
import { PanelBuilder as TimeSeries } from "@grafana/grafana-foundation-sdk/timeseries";
import { dashboard, finish, link, prom, queries, thresholds, latestStat } from "./common.js";

/**
 * Grafana's alerting pages for an external Alertmanager take the datasource's name in `alertmanager=`; the name is
 * the one in grafana-provisioning/datasources/lookout.yml.
 */
export const ALERTMANAGER_NAME = "Alertmanager";
const am = (page: string) => `/alerting/${page}?alertmanager=${ALERTMANAGER_NAME}`;

/** The Grafana alerting pages the dashboard links to, each backed by the Alertmanager datasource. */
export const ALERTMANAGER_PAGES = {
  groups: am("groups"),
  silences: am("silences"),
  contactPoints: am("notifications"),
  policies: am("routes"),
} as const;

const amLinks = () => [
  link("Alert groups (Alertmanager)", ALERTMANAGER_PAGES.groups),
  link("Silences", ALERTMANAGER_PAGES.silences),
  link("Contact points", ALERTMANAGER_PAGES.contactPoints),
  link("Notification policies", ALERTMANAGER_PAGES.policies),
];

export function alerts() {
  return finish(
    dashboard({
      uid: "lookout-alerts",
      title: "Lookout / Alerts",
      description: "Firing and pending alerts, recent alert history, Alertmanager notifications and silences.",
      from: "now-24h",
      refresh: "30s",
      tags: ["alerts"],
    })
      .withRow(new RowBuilder("Now"))
      .withPanel(
        latestStat()
          .title("Firing")
          .description(
            "Alerts firing now, without the Watchdog heartbeat (ALERTS). Healthy: 0. Each alert has a section in " +
              "docs/runbook.md named after it.",
          )
          .withTarget(prom('count(ALERTS{alertstate="firing", alertname!="Watchdog"}) or vector(0)', { instant: true }))
          .thresholds(thresholds("green", [1, "red"]))
          .unit("none")
          .height(5)
          .span(6),
      )
      .withPanel(
        latestStat()
          .title("Pending")
          .description(
            "Alerts whose condition holds but not yet for their `for` duration. They fire if it keeps holding; " +
              "healthy: 0 most of the time.",
          )
          .withTarget(prom('count(ALERTS{alertstate="pending"}) or vector(0)', { instant: true }))
          .thresholds(thresholds("green", [1, "orange"]))
          .unit("none")
          .height(5)
          .span(6),
      )
      .withPanel(
        latestStat()
          .title("Watchdog")
          .description(
            "The always-firing heartbeat. It must read FIRING: if it does not, Prometheus' rule evaluation or its " +
              "link to Alertmanager is broken and no other alert can reach anyone.",
          )
          .withTarget(prom('count(ALERTS{alertname="Watchdog", alertstate="firing"}) or vector(0)', { instant: true }))
          .mappings([
            {
              type: "value" as never,
              options: {
                "1": { text: "FIRING", color: "green", index: 0 },
                "0": { text: "MISSING", color: "red", index: 1 },
              },
            },
          ])
          .thresholds(thresholds("red", [1, "green"]))
          .unit("none")
          .height(5)
          .span(6),
      )
      .withPanel(
        latestStat()
          .title("Active silences")
          .description(
            "Silences in force in Alertmanager (alertmanager_silences). A silence hides notifications, not the " +
              "problem: check each has an owner and an end time on the Silences page (panel links).",
          )
          .withTarget(prom('sum(alertmanager_silences{state="active"})', { instant: true }))
          .thresholds(thresholds("green", [1, "orange"]))
          .unit("none")
          .links(amLinks())
          .height(5)
          .span(6),
      )
      .withPanel(
        new Table()
          .title("Active alerts")
          .description(
            "Every firing and pending alert with its labels, as Prometheus evaluates them now (ALERTS). The " +
              "severity label decides the receiver; service names the system. Silence or inspect it from the panel links.",
          )
          .withTarget(prom("ALERTS", { instant: true, table: true }))
          .withTransformation({
            id: "organize",
            options: { excludeByName: { Time: true, __name__: true, Value: true } },
          })
          .links(amLinks())
          .height(8)
          .span(16),
      )
      .withPanel(
        new Text()
          .title("Alertmanager")
          .description("Where to act on alerts: Grafana's alerting pages for the Lookout Alertmanager datasource.")
          .mode(TextMode.Markdown)
          .content(
            [
              "Grafana's alerting pages for the **Alertmanager** datasource:",
              "",
              `- [Alert groups](${ALERTMANAGER_PAGES.groups}) — what Alertmanager holds, grouped as it notifies`,
              `- [Silences](${ALERTMANAGER_PAGES.silences}) — add, extend or expire a silence`,
              `- [Contact points](${ALERTMANAGER_PAGES.contactPoints}) — the receivers of alerts/alertmanager.yml`,
              `- [Notification policies](${ALERTMANAGER_PAGES.policies}) — the routing tree and inhibitions`,
              "",
              "Runbook: `docs/runbook.md`, one section per alert. The aggregator's status page lists recent alerts.",
            ].join("\n"),
          )
          .height(8)
          .span(8),
      )
      .withRow(new RowBuilder("History"))
      .withPanel(
        new TimeSeries()
          .title("Alerts over time")
          .description(
            "Firing alerts per name and severity over the range. A flapping line (on, off, on) is an alert whose " +
              "threshold sits at the normal level: tune its rule or `for`.",
          )
          .withTarget(
            prom('count by (alertname, severity) (ALERTS{alertstate="firing"})', {
              legend: "{{alertname}} ({{severity}})",
            }),
          )
          .unit("none")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Notifications")
          .description(
            "Notifications Alertmanager sent per integration and those that failed (alertmanager_notifications_*), " +
              "and notifications the aggregator's webhook received (lookout_alert_notifications_received_total). " +
              "Failures above 0: the receiver is unreachable or refusing — check alertmanager.log.",
          )
          .targets(
            queries(
              prom("sum by (integration) (increase(alertmanager_notifications_total[$__rate_interval]))", {
                legend: "sent {{integration}}",
              }),
              prom("sum by (integration) (increase(alertmanager_notifications_failed_total[$__rate_interval]))", {
                legend: "failed {{integration}}",
              }),
              prom("sum by (status) (increase(lookout_alert_notifications_received_total[$__rate_interval]))", {
                legend: "aggregator received {{status}}",
              }),
            ),
          )
          .unit("none")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Alerts held by Alertmanager")
          .description(
            "Alerts Alertmanager holds by state (alertmanager_alerts): active ones are notified, suppressed ones are " +
              "silenced or inhibited (a dependency's alert muting its dependents').",
          )
          .withTarget(prom("sum by (state) (alertmanager_alerts)", { legend: "{{state}}" }))
          .unit("none")
          .min(0)
          .height(8)
          .span(24),
      ),
  );
}
