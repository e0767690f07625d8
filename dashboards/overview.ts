/**
 * Overview: is everything up right now, and has it been? One glance for the person on call: each system and
 * dependency with its state from the health aggregator, uptime over 24 h and 30 days, open incidents, firing alerts.
 */
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as Table } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeSeries } from "@grafana/grafana-foundation-sdk/timeseries";
import { dashboard, finish, link, prom, queries, states, thresholds, latestStat } from "./common.js";

/** healthy = 2, degraded = 1, unhealthy = 0, from the aggregator's one-hot lookout_target_status. */
const TARGET_STATE =
  'sum by (target) (lookout_target_status{status="healthy"}) * 2 + sum by (target) (lookout_target_status{status="degraded"})';

export function overview() {
  return finish(
    dashboard({
      uid: "lookout-overview",
      title: "Lookout / Overview",
      description: "The three systems and every dependency at a glance: state, uptime, incidents and firing alerts.",
      from: "now-6h",
      refresh: "30s",
    })
      .withRow(new RowBuilder("Now"))
      .withPanel(
        latestStat()
          .title("Systems")
          .description(
            "Each system is UP while every target of it answers its health check (degraded still counts as up), " +
              "from lookout_target_up. DOWN: open the Uptime dashboard and the aggregator's /status page for the root cause.",
          )
          .withTarget(prom("min by (system) (lookout_target_up)", { instant: true, legend: "{{system}}" }))
          .mappings(states({ "1": ["UP", "green"], "0": ["DOWN", "red"] }))
          .thresholds(thresholds("red", [1, "green"]))
          .unit("none")
          .height(5)
          .span(12),
      )
      .withPanel(
        latestStat()
          .title("Open incidents")
          .description(
            "Incidents the health aggregator has open (lookout_incidents_open). Healthy: 0. Above 0: the status page " +
              "names the root cause; related incidents share one.",
          )
          .withTarget(prom("lookout_incidents_open", { instant: true, legend: "open" }))
          .thresholds(thresholds("green", [1, "red"]))
          .unit("none")
          .height(5)
          .span(6),
      )
      .withPanel(
        latestStat()
          .title("Firing alerts")
          .description(
            "Alerts Prometheus is firing now, without the always-on Watchdog heartbeat (ALERTS). Healthy: 0. Above " +
              "0: the Alerts dashboard lists them; each has a runbook section in docs/runbook.md.",
          )
          .withTarget(
            prom('count(ALERTS{alertstate="firing", alertname!="Watchdog"}) or vector(0)', {
              instant: true,
              legend: "firing",
            }),
          )
          .thresholds(thresholds("green", [1, "red"]))
          .unit("none")
          .links([link("Alerts dashboard", "/d/lookout-alerts")])
          .height(5)
          .span(6),
      )
      .withPanel(
        latestStat()
          .title("Targets")
          .description(
            "Every target the aggregator checks — the three systems, PostgreSQL, Redis and Lookout's own components — " +
              "as HEALTHY, DEGRADED (answers, but a dependency is slow or failing) or UNHEALTHY. Unhealthy: see the " +
              "target's row in the Uptime dashboard and its log in LOOKOUT_HOME/logs.",
          )
          .withTarget(prom(TARGET_STATE, { instant: true, legend: "{{target}}" }))
          .mappings(states({ "2": ["HEALTHY", "green"], "1": ["DEGRADED", "orange"], "0": ["UNHEALTHY", "red"] }))
          .thresholds(thresholds("red", [1, "orange"], [2, "green"]))
          .unit("none")
          .height(5)
          .span(24),
      )
      .withRow(new RowBuilder("Uptime"))
      .withPanel(
        new Table()
          .title("Availability, 24 h and 30 days")
          .description(
            "Time-weighted availability per target from the aggregator's uptime history " +
              "(lookout_target_availability_ratio; time without observations is excluded). Healthy: ≥ 99.9 %. " +
              "Lower: the Uptime dashboard shows when the target was down.",
          )
          .targets(
            queries(
              prom('lookout_target_availability_ratio{window="24h"}', { instant: true, table: true }),
              prom('lookout_target_availability_ratio{window="30d"}', { instant: true, table: true }),
            ),
          )
          .withTransformation({
            id: "merge",
            options: {},
          })
          .withTransformation({
            id: "organize",
            options: {
              excludeByName: { Time: true, __name__: true, instance: true, job: true, component: true },
              renameByName: { target: "Target", window: "Window", Value: "Availability" },
            },
          })
          .unit("percentunit")
          .decimals(3)
          .thresholds(thresholds("red", [0.99, "orange"], [0.999, "green"]))
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Targets down")
          .description(
            "How many targets were unhealthy over time (lookout_target_up = 0). Healthy: a flat 0. A step up is an " +
              "outage: hover for the time, then read that target's incident on the status page.",
          )
          .withTarget(prom("count(lookout_target_up == 0) or vector(0)", { legend: "targets down" }))
          .thresholds(thresholds("green", [1, "red"]))
          .unit("none")
          .min(0)
          .height(8)
          .span(12),
      )
      .withRow(new RowBuilder("Traffic"))
      .withPanel(
        new TimeSeries()
          .title("Requests per second by system")
          .description(
            "Requests each system answers (http_requests_total, without /health and /metrics). A drop to zero while " +
              "the system is UP means its callers stopped calling: check the caller's errors in the Performance dashboard.",
          )
          .withTarget(
            prom('sum by (job) (rate(http_requests_total{route!~"/health|/metrics"}[$__rate_interval]))', {
              legend: "{{job}}",
            }),
          )
          .unit("reqps")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Server errors by system")
          .description(
            "Share of requests answered 5xx per system. Healthy: below 1 %. Above 5 % for minutes: the Performance " +
              "dashboard shows which route, and its slow and failed traces.",
          )
          .withTarget(
            prom(
              'sum by (job) (rate(http_requests_total{status_code=~"5.."}[$__rate_interval])) / sum by (job) (rate(http_requests_total[$__rate_interval])) or sum by (job) (rate(http_requests_total[$__rate_interval])) * 0',
              { legend: "{{job}}" },
            ),
          )
          .thresholds(thresholds("green", [0.01, "orange"], [0.05, "red"]))
          .unit("percentunit")
          .min(0)
          .height(8)
          .span(12),
      ),
  );
}
