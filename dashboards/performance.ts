/**
 * Performance: per service and route, request rate, errors, p50/p95/p99 latency and requests in flight — once from
 * the services' own histograms (what the service measured) and once from span metrics (what the collector derived
 * from 100% of spans), with exemplars that open the trace behind a latency point, and the slowest recent traces.
 */
import {
  RowBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as Table } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeSeries } from "@grafana/grafana-foundation-sdk/timeseries";
import { DS, dashboard, finish, jaegerSearch, prom, queries, thresholds } from "./common.js";

/** Service histograms: job is the service, route the route template; /health and /metrics are left out. */
const HTTP = 'job=~"$service", route=~"$route"';
/** Span metrics: the SERVER span of each request carries the same route template. */
const SPAN = 'service_name=~"$service", http_route=~"$route", span_kind="SPAN_KIND_SERVER"';

const quantiles = (bucket: string, selector: string, by: string, legend: string, exemplar = false) =>
  queries(
    ...[0.5, 0.95, 0.99].map((q) =>
      prom(`histogram_quantile(${q}, sum by (${by}, le) (rate(${bucket}{${selector}}[$__rate_interval])))`, {
        legend: `p${q * 100} ${legend}`,
        exemplar,
      }),
    ),
  );

export function performance() {
  return finish(
    dashboard({
      uid: "lookout-performance",
      title: "Lookout / Performance",
      description:
        "Request rate, errors and latency per service and route, from the services' histograms and from span metrics, with exemplar links to traces.",
      from: "now-1h",
      refresh: "30s",
      tags: ["red"],
    })
      .withVariable(
        new QueryVariableBuilder("service")
          .label("Service")
          .description("The services whose metrics are shown (Prometheus job of the service's /metrics).")
          .datasource(DS.prometheus)
          .query("label_values(http_requests_total, job)")
          .definition("label_values(http_requests_total, job)")
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc)
          .multi(true)
          .includeAll(true),
      )
      .withVariable(
        new QueryVariableBuilder("route")
          .label("Route")
          .description("Route templates of the chosen services; /health and /metrics are left out.")
          .datasource(DS.prometheus)
          .query('label_values(http_requests_total{job=~"$service"}, route)')
          .definition('label_values(http_requests_total{job=~"$service"}, route)')
          .regex("/^(?!/(health|metrics)$).*/")
          .refresh(VariableRefresh.OnTimeRangeChanged)
          .sort(VariableSort.AlphabeticalAsc)
          .multi(true)
          .includeAll(true),
      )
      .withRow(new RowBuilder("Service histograms (http_request_duration_seconds)"))
      .withPanel(
        new TimeSeries()
          .title("Request rate")
          .description(
            "Requests answered per second, per service and route (http_requests_total). A sudden drop with no " +
              "errors means callers stopped calling; a spike, a retry storm or a load change.",
          )
          .withTarget(
            prom(`sum by (job, route) (rate(http_requests_total{${HTTP}}[$__rate_interval]))`, {
              legend: "{{job}} {{route}}",
            }),
          )
          .unit("reqps")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Error ratio (5xx)")
          .description(
            "Share of requests answered with a 5xx status, per service and route. Healthy: below 1 %. Above 5 %: " +
              "look at the route's error traces (Jaeger keeps every trace with an error) and at its dependencies.",
          )
          .withTarget(
            prom(
              `sum by (job, route) (rate(http_requests_total{${HTTP}, status_code=~"5.."}[$__rate_interval])) / sum by (job, route) (rate(http_requests_total{${HTTP}}[$__rate_interval])) or sum by (job, route) (rate(http_requests_total{${HTTP}}[$__rate_interval])) * 0`,
              { legend: "{{job}} {{route}}" },
            ),
          )
          .thresholds(thresholds("green", [0.01, "orange"], [0.05, "red"]))
          .unit("percentunit")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Latency p50 / p95 / p99 by service")
          .description(
            "Response time quantiles from each service's http_request_duration_seconds histogram (buckets 5 ms–10 s, " +
              "so values are interpolated within a bucket). Healthy: p95 under 1 s, p99 under 2.5 s. Higher: the " +
              "span-metrics row below and its exemplars show which downstream call is slow.",
          )
          .targets(quantiles("http_request_duration_seconds_bucket", HTTP, "job", "{{job}}"))
          .thresholds(thresholds("green", [1, "orange"], [2.5, "red"]))
          .unit("s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Requests in flight")
          .description(
            "Requests being handled right now, per service (http_requests_in_flight). Healthy: a few. A climbing " +
              "line that does not come down means requests hang — usually on a dependency: check RelayCore and " +
              "NeuroWeaver latency and the database and Redis targets.",
          )
          .withTarget(prom('sum by (job) (http_requests_in_flight{job=~"$service"})', { legend: "{{job}}" }))
          .unit("none")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new Table()
          .title("Routes over the time range")
          .description(
            "Per route over the whole selected range: requests per second, error ratio and p95 latency. Sort by a " +
              "column to find the busiest, most failing or slowest route.",
          )
          .targets(
            queries(
              prom(`sum by (job, route) (rate(http_requests_total{${HTTP}}[$__range]))`, {
                instant: true,
                table: true,
              }),
              prom(
                `sum by (job, route) (rate(http_requests_total{${HTTP}, status_code=~"5.."}[$__range])) / sum by (job, route) (rate(http_requests_total{${HTTP}}[$__range])) or sum by (job, route) (rate(http_requests_total{${HTTP}}[$__range])) * 0`,
                { instant: true, table: true },
              ),
              prom(
                `histogram_quantile(0.95, sum by (job, route, le) (rate(http_request_duration_seconds_bucket{${HTTP}}[$__range])))`,
                { instant: true, table: true },
              ),
            ),
          )
          .withTransformation({ id: "merge", options: {} })
          .withTransformation({
            id: "organize",
            options: {
              excludeByName: { Time: true },
              renameByName: {
                job: "Service",
                route: "Route",
                "Value #A": "req/s",
                "Value #B": "5xx ratio",
                "Value #C": "p95 (s)",
              },
            },
          })
          .height(8)
          .span(24),
      )
      .withRow(new RowBuilder("Span metrics (traces_span_metrics_*, 100% of spans)"))
      .withPanel(
        new TimeSeries()
          .title("Server spans per second")
          .description(
            "Requests per second counted by the collector from every SERVER span (traces_span_metrics_calls_total), " +
              "before sampling. It should match the service histogram's rate above; a gap means spans are lost " +
              "before the collector (see the Pipeline dashboard).",
          )
          .withTarget(
            prom(
              `sum by (service_name, http_route) (rate(traces_span_metrics_calls_total{${SPAN}}[$__rate_interval]))`,
              {
                legend: "{{service_name}} {{http_route}}",
              },
            ),
          )
          .unit("reqps")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Span error ratio")
          .description(
            "Share of SERVER spans with status ERROR, per service. Healthy: below 1 %. Errors in spans but not in " +
              "5xx responses point at handled failures (a fallback, a retried call).",
          )
          .withTarget(
            prom(
              `sum by (service_name) (rate(traces_span_metrics_calls_total{${SPAN}, status_code="STATUS_CODE_ERROR"}[$__rate_interval])) / sum by (service_name) (rate(traces_span_metrics_calls_total{${SPAN}}[$__rate_interval])) or sum by (service_name) (rate(traces_span_metrics_calls_total{${SPAN}}[$__rate_interval])) * 0`,
              { legend: "{{service_name}}" },
            ),
          )
          .thresholds(thresholds("green", [0.01, "orange"], [0.05, "red"]))
          .unit("percentunit")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Span latency p50 / p95 / p99, with exemplars")
          .description(
            "Latency of SERVER spans from the collector's histogram (traces_span_metrics_duration_milliseconds). " +
              "The dots are exemplars: each carries the trace id of a real request in that bucket — click one to open " +
              "the trace in Jaeger. An exemplar's trace may have been dropped by tail sampling (errors and slow " +
              "traces are always kept).",
          )
          .targets(
            quantiles(
              "traces_span_metrics_duration_milliseconds_bucket",
              SPAN,
              "service_name",
              "{{service_name}}",
              true,
            ),
          )
          .thresholds(thresholds("green", [1000, "orange"], [2500, "red"]))
          .unit("ms")
          .min(0)
          .height(8)
          .span(24),
      )
      .withRow(new RowBuilder("Traces"))
      .withPanel(
        new Table()
          .title("Slow traces: $service")
          .description(
            "The most recent traces of the service taking 100 ms or more, from Jaeger (one panel per service). " +
              "Click a trace id to open it. Jaeger holds the tail-sampled traces: every error, every slow and " +
              "synthetic trace and a baseline share of the rest.",
          )
          .datasource(DS.jaeger)
          .withTarget(jaegerSearch({ service: "$service", minDuration: "100ms", limit: 20 }))
          .repeat("service")
          .repeatDirection("h")
          .maxPerRow(3)
          .height(8)
          .span(8),
      ),
  );
}
