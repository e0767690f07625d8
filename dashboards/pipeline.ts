/**
 * Pipeline: the monitoring system's own health. Spans in, refused and dropped at the collector gateway, tail-sampling
 * decisions, the Jaeger sending queue, remote write into Prometheus, and whether every scrape target answers.
 */
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as TimeSeries } from "@grafana/grafana-foundation-sdk/timeseries";
import { dashboard, finish, prom, queries, states, thresholds, latestStat } from "./common.js";

const COLLECTOR = 'job="otel-collector"';

export function pipeline() {
  return finish(
    dashboard({
      uid: "lookout-pipeline",
      title: "Lookout / Pipeline",
      description: "Lookout's own health: spans in, refused and dropped, sampling, queues, remote write and scrapes.",
      from: "now-1h",
      refresh: "30s",
      tags: ["meta"],
    })
      .withRow(new RowBuilder("Spans"))
      .withPanel(
        new TimeSeries()
          .title("Spans in, refused, failed")
          .description(
            "Spans the gateway accepted, refused (memory limiter or bad data: the client retries) and failed after " +
              "accepting (otelcol_receiver_*_spans). Healthy: refused and failed at 0. Refused rising: the " +
              "collector is overloaded — see docs/scaling.md.",
          )
          .targets(
            queries(
              prom(`sum by (transport) (rate(otelcol_receiver_accepted_spans{${COLLECTOR}}[$__rate_interval]))`, {
                legend: "accepted {{transport}}",
              }),
              prom(`sum(rate(otelcol_receiver_refused_spans{${COLLECTOR}}[$__rate_interval])) or vector(0)`, {
                legend: "refused",
              }),
              prom(`sum(rate(otelcol_receiver_failed_spans{${COLLECTOR}}[$__rate_interval])) or vector(0)`, {
                legend: "failed",
              }),
            ),
          )
          .unit("short")
          .axisLabel("spans/s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Spans out and dropped")
          .description(
            "Spans delivered to Jaeger, failed send attempts (retried from the persistent queue) and spans dropped " +
              "because the queue was full. Healthy: dropped at 0, failures only while Jaeger is down.",
          )
          .targets(
            queries(
              prom(`sum(rate(otelcol_exporter_sent_spans{${COLLECTOR}}[$__rate_interval]))`, {
                legend: "sent to Jaeger",
              }),
              prom(`sum(rate(otelcol_exporter_send_failed_spans{${COLLECTOR}}[$__rate_interval])) or vector(0)`, {
                legend: "send failed (retried)",
              }),
              prom(`sum(rate(otelcol_exporter_enqueue_failed_spans{${COLLECTOR}}[$__rate_interval])) or vector(0)`, {
                legend: "dropped (queue full)",
              }),
            ),
          )
          .unit("short")
          .axisLabel("spans/s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Sampling decisions")
          .description(
            "Traces kept and dropped per tail-sampling policy (first match keeps a trace). Healthy: baseline kept " +
              "≈ its configured share (10 %); errors, slow, synthetic and costly traces kept whenever they occur.",
          )
          .withTarget(
            prom(
              `sum by (policy, sampled) (rate(otelcol_processor_tail_sampling_count_traces_sampled{${COLLECTOR}}[$__rate_interval]))`,
              { legend: "{{policy}} sampled={{sampled}}" },
            ),
          )
          .unit("short")
          .axisLabel("traces/s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Traces waiting for a decision")
          .description(
            "Traces held in memory until their decision wait ends, and traces decided early because the buffer was " +
              "full. Healthy: far below num_traces (50,000) and 0 decided early; otherwise raise num_traces.",
          )
          .targets(
            queries(
              prom(`sum(otelcol_processor_tail_sampling_sampling_traces_on_memory{${COLLECTOR}})`, {
                legend: "in memory",
              }),
              prom(
                `sum(rate(otelcol_processor_tail_sampling_sampling_trace_dropped_too_early{${COLLECTOR}}[$__rate_interval])) or vector(0)`,
                { legend: "decided too early /s" },
              ),
            ),
          )
          .unit("short")
          .min(0)
          .height(8)
          .span(12),
      )
      .withRow(new RowBuilder("Queues and remote write"))
      .withPanel(
        new TimeSeries()
          .title("Exporter queue use")
          .description(
            "Share of each exporter's sending queue in use (otelcol_exporter_queue_size / queue_capacity). Healthy: " +
              "near 0. Growing: the destination (Jaeger or Prometheus) is slow or down; at 100 % data is dropped.",
          )
          .withTarget(
            prom(
              `max by (exporter) (otelcol_exporter_queue_size{${COLLECTOR}}) / max by (exporter) (otelcol_exporter_queue_capacity{${COLLECTOR}})`,
              { legend: "{{exporter}}" },
            ),
          )
          .thresholds(thresholds("green", [0.5, "orange"], [0.9, "red"]))
          .unit("percentunit")
          .min(0)
          .max(1)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Remote write into Prometheus")
          .description(
            "Span-metric points the gateway wrote, points that failed, and samples Prometheus took in by remote " +
              "write. Healthy: failed at 0 and the two rates close. Failures: Prometheus down or rejecting " +
              "(out-of-order samples) — see prometheus.log.",
          )
          .targets(
            queries(
              prom(
                `sum(rate(otelcol_exporter_sent_metric_points{${COLLECTOR}, exporter="prometheus_remote_write"}[$__rate_interval]))`,
                { legend: "sent by gateway" },
              ),
              prom(
                `sum(rate(otelcol_exporter_send_failed_metric_points{${COLLECTOR}, exporter="prometheus_remote_write"}[$__rate_interval])) or vector(0)`,
                { legend: "failed" },
              ),
              prom('sum(rate(prometheus_remote_storage_samples_in_total{job="prometheus"}[$__rate_interval]))', {
                legend: "received by Prometheus",
              }),
            ),
          )
          .unit("short")
          .axisLabel("points/s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withRow(new RowBuilder("Scrapes"))
      .withPanel(
        latestStat()
          .title("Scrape targets")
          .description(
            "Whether Prometheus' last scrape of each job succeeded (up). DOWN: the component is stopped, its port " +
              "moved, or its bearer token is wrong (401) — Prometheus' Targets page shows the error.",
          )
          .withTarget(prom("min by (job) (up)", { instant: true, legend: "{{job}}" }))
          .mappings(states({ "1": ["UP", "green"], "0": ["DOWN", "red"] }))
          .thresholds(thresholds("red", [1, "green"]))
          .unit("none")
          .height(6)
          .span(24),
      )
      .withPanel(
        new TimeSeries()
          .title("Scrape duration")
          .description(
            "How long each job's scrape takes (scrape_duration_seconds). Healthy: well under the 10 s scrape timeout.",
          )
          .withTarget(prom("max by (job) (scrape_duration_seconds)", { legend: "{{job}}" }))
          .thresholds(thresholds("green", [5, "orange"], [10, "red"]))
          .unit("s")
          .min(0)
          .height(8)
          .span(12),
      )
      .withPanel(
        new TimeSeries()
          .title("Series per scrape and in the head block")
          .description(
            "Samples each scrape returns (scrape_samples_scraped) and Prometheus' in-memory series " +
              "(prometheus_tsdb_head_series). A jump means a new label with many values — a cardinality leak.",
          )
          .targets(
            queries(
              prom("sum by (job) (scrape_samples_scraped)", { legend: "{{job}}" }),
              prom('sum(prometheus_tsdb_head_series{job="prometheus"})', { legend: "head series" }),
            ),
          )
          .unit("short")
          .min(0)
          .height(8)
          .span(12),
      ),
  );
}
