/**
 * Uptime: availability per target over a selectable window, state over time, incidents and failovers from the health
 * aggregator, and the synthetic flows (the critical user journeys run on a schedule): success, consecutive failures
 * against their alert threshold, step durations.
 */
import {
  CustomVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StateTimeline } from "@grafana/grafana-foundation-sdk/statetimeline";
import { PanelBuilder as Table } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeSeries } from "@grafana/grafana-foundation-sdk/timeseries";
import { DS, dashboard, finish, prom, queries, states, thresholds, latestStat } from "./common.js";

const T = 'target=~"$target"';
const F = 'flow=~"$flow"';

export function uptime() {
  return finish(
    dashboard({
      uid: "lookout-uptime",
      title: "Lookout / Uptime",
      description:
        "Availability per target for a chosen window, state history, incidents, failovers and synthetic flows.",
      from: "now-24h",
      refresh: "1m",
      tags: ["uptime"],
    })
      .withVariable(
        new QueryVariableBuilder("target")
          .label("Target")
          .description("Targets the health aggregator checks (health-aggregator/lookout.yml).")
          .datasource(DS.prometheus)
          .query("label_values(lookout_target_up, target)")
          .definition("label_values(lookout_target_up, target)")
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc)
          .multi(true)
          .includeAll(true),
      )
      .withVariable(
        new CustomVariableBuilder("window")
          .label("Availability window")
          .description("The aggregator exports availability over these windows (lookout_target_availability_ratio).")
          .values("24h,7d,30d")
          .current({ text: "30d", value: "30d", selected: true }),
      )
      .withVariable(
        new QueryVariableBuilder("flow")
          .label("Synthetic flow")
          .description("Synthetic flows the aggregator runs.")
          .datasource(DS.prometheus)
          .query("label_values(lookout_synthetic_runs_total, flow)")
          .definition("label_values(lookout_synthetic_runs_total, flow)")
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc)
          .multi(true)
          .includeAll(true),
      )
      .withRow(new RowBuilder("Targets"))
      .withPanel(
        new Table()
          .title("Availability over $window")
          .description(
            "Time-weighted availability of each target over the chosen window, from the aggregator's uptime history " +
              "(degraded counts as available; unobserved time is excluded). Healthy: ≥ 99.9 % (green). Orange or " +
              "red: the state timeline below shows when; the status page lists the incidents.",
          )
          .withTarget(prom(`lookout_target_availability_ratio{${T}, window="$window"}`, { instant: true, table: true }))
          .withTransformation({
            id: "organize",
            options: {
              excludeByName: { Time: true, __name__: true, instance: true, job: true, component: true, window: true },
              renameByName: { target: "Target", Value: "Availability" },
            },
          })
          .unit("percentunit")
          .decimals(3)
          .thresholds(thresholds("red", [0.99, "orange"], [0.999, "green"]))
          .height(9)
          .span(8),
      )
      .withPanel(
        new StateTimeline()
          .title("Target state")
          .description(
            "Each target's state over time: healthy, degraded (answers, but a dependency is failing or slow) or " +
              "unhealthy. Several targets turning red together usually share a root cause: the one they depend on.",
          )
          .withTarget(
            prom(
              `sum by (target) (lookout_target_status{${T}, status="healthy"}) * 2 + sum by (target) (lookout_target_status{${T}, status="degraded"})`,
              { legend: "{{target}}" },
            ),
          )
          .mappings(states({ "2": ["healthy", "green"], "1": ["degraded", "orange"], "0": ["unhealthy", "red"] }))
          .thresholds(thresholds("red", [1, "orange"], [2, "green"]))
          .unit("none")
          .height(9)
          .span(16),
      )
      .withPanel(
        new TimeSeries()
          .title("Availability trend")
          .description(
            "The availability ratio over the chosen window, as the aggregator recomputes it each minute. A falling " +
              "line is time lost in the window; it recovers only as the outage leaves the window.",
          )
          .withTarget(prom(`lookout_target_availability_ratio{${T}, window="$window"}`, { legend: "{{target}}" }))
          .unit("percentunit")
          .thresholds(thresholds("red", [0.99, "orange"], [0.999, "green"]))
          .max(1)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Check results")
          .description(
            "Health checks per second per target and result (lookout_checks_total). Anything but healthy is worth a " +
              "look; checks stopping altogether means the aggregator's scheduler is stuck (see check lag).",
          )
          .withTarget(
            prom(`sum by (target, result) (rate(lookout_checks_total{${T}}[$__rate_interval]))`, {
              legend: "{{target}} {{result}}",
            }),
          )
          .unit("ops")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Check duration p95")
          .description(
            "95th percentile time a health check takes per target (lookout_check_duration_seconds). Close to the " +
              "check's timeout: the target is slow and will soon be reported unhealthy.",
          )
          .withTarget(
            prom(
              `histogram_quantile(0.95, sum by (target, le) (rate(lookout_check_duration_seconds_bucket{${T}}[$__rate_interval])))`,
              {
                legend: "{{target}}",
              },
            ),
          )
          .thresholds(thresholds("green", [1, "orange"], [5, "red"]))
          .unit("s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Incidents and failovers")
          .description(
            "Open incidents (lookout_incidents_open) and failovers to a secondary endpoint in the range " +
              "(lookout_failovers_total). Healthy: both 0.",
          )
          .targets(
            queries(
              prom("lookout_incidents_open", { legend: "open incidents" }),
              prom("sum(increase(lookout_failovers_total[$__rate_interval])) or vector(0)", { legend: "failovers" }),
            ),
          )
          .thresholds(thresholds("green", [1, "red"]))
          .unit("none")
          .min(0)
          .height(8)
          .span(12),
      )
      .withRow(new RowBuilder("Synthetic flows"))
      .withPanel(
        latestStat()
          .title("Last run")
          .description(
            "Whether each flow's most recent run passed (lookout_synthetic_last_run_success). FAIL: open the run's " +
              "trace in Jaeger (every synthetic trace is kept) to see which step failed and why.",
          )
          .withTarget(prom(`lookout_synthetic_last_run_success{${F}}`, { instant: true, legend: "{{flow}}" }))
          .mappings(states({ "1": ["PASS", "green"], "0": ["FAIL", "red"] }))
          .thresholds(thresholds("red", [1, "green"]))
          .unit("none")
          .height(6)
          .span(8),
      )
      .withPanel(
        new TimeSeries()
          .title("Flow success ratio")
          .description(
            "Share of runs per flow that succeeded (lookout_synthetic_runs_total by outcome). Healthy: 100 %. " +
              "Failures and timeouts are what a user on that journey would have hit.",
          )
          .withTarget(
            prom(
              `sum by (flow) (rate(lookout_synthetic_runs_total{${F}, outcome="success"}[$__rate_interval])) / sum by (flow) (rate(lookout_synthetic_runs_total{${F}}[$__rate_interval])) or sum by (flow) (rate(lookout_synthetic_runs_total{${F}}[$__rate_interval])) * 0`,
              { legend: "{{flow}}" },
            ),
          )
          .unit("percentunit")
          .thresholds(thresholds("red", [0.95, "orange"], [1, "green"]))
          .min(0)
          .max(1)
          .height(6)
          .span(8),
      )
      .withPanel(
        new TimeSeries()
          .title("Consecutive failures vs alert threshold")
          .description(
            "Consecutive failed runs per flow (lookout_synthetic_consecutive_failures) against the count that alerts " +
              "(lookout_synthetic_alert_threshold, dashed). Healthy: 0. Reaching the threshold pages.",
          )
          .targets(
            queries(
              prom(`lookout_synthetic_consecutive_failures{${F}}`, { legend: "{{flow}}" }),
              prom(`lookout_synthetic_alert_threshold{${F}}`, { legend: "{{flow}} threshold" }),
            ),
          )
          .unit("none")
          .min(0)
          .height(6)
          .span(8),
      )
      .withPanel(
        new TimeSeries()
          .title("Step duration p95")
          .description(
            "95th percentile duration of each flow step (lookout_synthetic_step_duration_seconds). The slowest step " +
              "is where a user waits; compare it with that route's latency in the Performance dashboard.",
          )
          .withTarget(
            prom(
              `histogram_quantile(0.95, sum by (flow, step, le) (rate(lookout_synthetic_step_duration_seconds_bucket{${F}}[$__rate_interval])))`,
              { legend: "{{flow}} / {{step}}" },
            ),
          )
          .unit("s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Run duration p95")
          .description("95th percentile duration of a whole flow run (lookout_synthetic_run_duration_seconds).")
          .withTarget(
            prom(
              `histogram_quantile(0.95, sum by (flow, le) (rate(lookout_synthetic_run_duration_seconds_bucket{${F}}[$__rate_interval])))`,
              { legend: "{{flow}}" },
            ),
          )
          .unit("s")
          .min(0)
          .height(8)
          .span(12),
      ),
  );
}
