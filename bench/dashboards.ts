/**
 * Dashboard load time on 30 days of data (issue 8): writes 30 days of realistic series for the three systems, the
 * aggregator, the synthetic flows, the collector, Alertmanager and Prometheus' own scrapes — the same names and labels
 * the live stack exports — as OpenMetrics, backfills them with `promtool tsdb create-blocks-from openmetrics`, starts a
 * real Prometheus on that data on a free port, and loads each dashboard as Grafana would (testkit/grafana/runner.ts:
 * variables resolved, every panel's queries at the dashboard's default range and step, six at a time). The figure is
 * the wall time to answer every query of a dashboard, median of several loads, next to the requirement (< 3 s) and
 * the target (< 1 s). Jaeger and Alertmanager requests are not part of it (no trace store on backfilled data).
 *
 * Sample density (to keep the file a few GiB): every 15 s (the scrape interval) over the last 6 h, which the 1 h and
 * 6 h default ranges read at full resolution; every 60 s from 6 to 24 h ago (the 24 h dashboards step by 2 min, so
 * each rate window still holds two samples); every 15 min before that (month-to-date and 30-day panels read those
 * with increase() over the whole range). Prints a table and writes bench/results/dashboards.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { buildDashboards } from "../dashboards/index.js";
import { resolveVariables, runDashboard, freePort, median } from "../testkit/index.js";
import { REPO_ROOT } from "../shared/index.js";
import { toolPaths } from "../stack/index.js";

const DAY = 86_400;
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? "5");
const REQUIREMENT_S = 3;
const TARGET_S = 1;

type Labels = Record<string, string>;
interface Series {
  labels: Labels;
  /** Value at step i (time t, seconds since the start), given the previous value. */
  next: (previous: number, t: number, dt: number, i: number) => number;
}

/** Deterministic noise in [0, 1) from a series index and a step. */
function noise(seed: number, i: number): number {
  const x = Math.sin(seed * 12.9898 + i * 78.233) * 43_758.5453;
  return x - Math.floor(x);
}
/** Daily traffic shape: busier during the (UTC) day, never idle. */
const daily = (t: number) => 1 + 0.5 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);

let seedCounter = 1;
const counter = (labels: Labels, perSecond: number): Series => {
  const seed = seedCounter++;
  return { labels, next: (v, t, dt, i) => v + perSecond * dt * daily(t) * (0.8 + 0.4 * noise(seed, i)) };
};
const gauge = (labels: Labels, value: number, jitter = 0): Series => {
  const seed = seedCounter++;
  return { labels, next: (_v, _t, _dt, i) => value + jitter * noise(seed, i) };
};

/** Log-normal CDF: share of observations at or below x for a distribution with this median. */
function cdf(x: number, median: number, sigma = 0.6): number {
  if (!Number.isFinite(x)) return 1;
  const z = (Math.log(x) - Math.log(median)) / (sigma * Math.SQRT2);
  // Abramowitz–Stegun erf approximation.
  const s = Math.sign(z);
  const a = Math.abs(z);
  const t = 1 / (1 + 0.3275911 * a);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return 0.5 * (1 + s * erf);
}

/** A histogram as its _bucket, _count and _sum families. */
function histogram(
  families: Map<string, Series[]>,
  name: string,
  labels: Labels,
  perSecond: number,
  median: number,
  buckets: number[],
): void {
  const seed = seedCounter++;
  const count = (t: number, dt: number, i: number) => perSecond * dt * daily(t) * (0.8 + 0.4 * noise(seed, i));
  for (const le of [...buckets, Infinity]) {
    const share = cdf(le, median);
    add(families, `${name}_bucket`, {
      labels: { ...labels, le: Number.isFinite(le) ? String(le) : "+Inf" },
      next: (v, t, dt, i) => v + count(t, dt, i) * share,
    });
  }
  add(families, `${name}_count`, { labels, next: (v, t, dt, i) => v + count(t, dt, i) });
  add(families, `${name}_sum`, { labels, next: (v, t, dt, i) => v + count(t, dt, i) * median * 1.2 });
}

function add(families: Map<string, Series[]>, name: string, series: Series): void {
  const list = families.get(name) ?? [];
  list.push(series);
  families.set(name, list);
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MS_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** The series the dashboards read, with the names and labels the live stack exports. */
function model(): Map<string, Series[]> {
  const f = new Map<string, Series[]>();
  const routes: Record<string, [string, string, number, number][]> = {
    // [method, route, requests/s, median seconds]
    automatrix: [
      ["POST", "/api/v1/sessions", 0.3, 0.02],
      ["DELETE", "/api/v1/sessions/:id", 0.15, 0.01],
      ["GET", "/api/v1/workflows", 0.5, 0.03],
      ["POST", "/api/v1/workflows", 0.1, 0.04],
      ["GET", "/api/v1/workflows/:id", 0.3, 0.02],
      ["POST", "/api/v1/workflows/:id/execute", 0.6, 2.5],
    ],
    relaycore: [
      ["POST", "/v1/completions", 1.2, 0.8],
      ["GET", "/v1/budget", 0.05, 0.01],
    ],
    neuroweaver: [
      ["POST", "/v1/inference", 1.1, 0.7],
      ["POST", "/v1/deployments", 0.02, 0.3],
    ],
  };
  const ports: Record<string, number> = { automatrix: 8001, relaycore: 8002, neuroweaver: 8003 };
  for (const [job, list] of Object.entries(routes)) {
    const base = { component: job, instance: `127.0.0.1:${ports[job]}`, job };
    for (const [method, route, rps, median] of [
      ...list,
      ["GET", "/health", 0.2, 0.002] as const,
      ["GET", "/metrics", 0.07, 0.005] as const,
    ]) {
      for (const [status, share] of [
        ["200", 0.97],
        ["500", 0.01],
        ["429", 0.02],
      ] as const) {
        const labels = { ...base, method, route, status_code: status };
        add(f, "http_requests_total", counter(labels, rps * share));
        histogram(f, "http_request_duration_seconds", labels, rps * share, median, SECONDS_BUCKETS);
      }
      if (route === "/health" || route === "/metrics") continue;
      const span = {
        collector_instance_id: "lookout-gateway-0",
        deployment_environment_name: "production",
        job,
        otel_scope_name: "spanmetricsconnector",
        service_name: job,
        span_kind: "SPAN_KIND_SERVER",
        span_name: `${method} ${route}`,
        http_route: route,
      };
      for (const [status, share] of [
        ["STATUS_CODE_UNSET", 0.99],
        ["STATUS_CODE_ERROR", 0.01],
      ] as const) {
        add(f, "traces_span_metrics_calls_total", counter({ ...span, status_code: status }, rps * share));
        histogram(
          f,
          "traces_span_metrics_duration_milliseconds",
          { ...span, status_code: status },
          rps * share,
          median * 1000,
          MS_BUCKETS,
        );
      }
    }
    add(f, "http_requests_in_flight", gauge({ ...base, method: "POST" }, 1, 3));
  }
  const models: [string, string, number, number][] = [
    // [model, provider, calls/s, USD per call]
    ["nw-llama-3-8b", "neuroweaver", 0.5, 0.0004],
    ["nw-llama-3-70b", "neuroweaver", 0.3, 0.003],
    ["nw-mixtral-8x7b", "neuroweaver", 0.3, 0.0012],
    ["external-large", "external", 0.05, 0.02],
  ];
  for (const [service, list] of [
    ["relaycore", models],
    ["neuroweaver", models.filter((m) => m[1] === "neuroweaver")],
  ] as const) {
    for (const [m, provider, rps, cost] of list) {
      const labels: Labels = {
        collector_instance_id: "lookout-gateway-0",
        deployment_environment_name: "production",
        gen_ai_request_model: m,
        job: service,
        otel_scope_name: "spanmetricsconnector",
        service_name: service,
        ...(service === "relaycore" ? { gen_ai_provider_name: provider } : {}),
      };
      add(f, "lookout_ai_calls_total", counter(labels, rps));
      add(f, "lookout_ai_cost_dollars_total", counter(labels, rps * cost));
      add(f, "lookout_ai_input_tokens_total", counter(labels, rps * 600));
      add(f, "lookout_ai_output_tokens_total", counter(labels, rps * 250));
      if (service === "relaycore") {
        const rc = { component: "relaycore", instance: "127.0.0.1:8002", job: "relaycore", model: m, provider };
        histogram(f, "ai_response_tokens", rc, rps, 250, [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]);
      }
    }
  }
  for (const [period, usd] of [
    ["daily", 50],
    ["monthly", 1000],
  ] as const)
    add(
      f,
      "ai_budget_dollars",
      gauge({ component: "relaycore", instance: "127.0.0.1:8002", job: "relaycore", period }, usd),
    );
  for (const reason of ["capability", "latency", "quality", "cost", "budget", "fallback"])
    add(
      f,
      "ai_model_selection_total",
      counter({ component: "relaycore", instance: "127.0.0.1:8002", job: "relaycore", reason }, 0.2),
    );
  for (const workflow of ["invoice-processing", "lead-enrichment", "report-digest", "support-triage"]) {
    const am = { component: "automatrix", instance: "127.0.0.1:8001", job: "automatrix", workflow };
    add(f, "workflow_ai_cost_dollars_total", counter(am, 0.15 * 0.004));
    add(f, "workflow_executions_total", counter({ ...am, status: "success" }, 0.15));
    add(f, "workflow_executions_total", counter({ ...am, status: "failure" }, 0.002));
  }
  const agg = { component: "health-aggregator", instance: "127.0.0.1:8080", job: "health-aggregator" };
  const targets: [string, string][] = [
    ["automatrix", "AutoMatrix"],
    ["relaycore", "RelayCore"],
    ["neuroweaver", "NeuroWeaver"],
    ["postgres", "Dependencies"],
    ["redis", "Dependencies"],
    ["collector", "Monitoring"],
    ["jaeger", "Monitoring"],
    ["prometheus", "Monitoring"],
  ];
  for (const [target, system] of targets) {
    add(f, "lookout_target_up", gauge({ ...agg, system, target }, 1));
    for (const status of ["healthy", "degraded", "unhealthy"])
      add(f, "lookout_target_status", gauge({ ...agg, status, target }, status === "healthy" ? 1 : 0));
    for (const window of ["24h", "7d", "30d"])
      add(f, "lookout_target_availability_ratio", gauge({ ...agg, target, window }, 0.9995, 0.0005));
    for (const result of ["healthy", "degraded", "unhealthy"])
      add(f, "lookout_checks_total", counter({ ...agg, result, target }, result === "healthy" ? 0.066 : 0.0005));
    histogram(
      f,
      "lookout_check_duration_seconds",
      { ...agg, kind: "http", target },
      0.067,
      0.01,
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    add(f, "lookout_failovers_total", counter({ ...agg, target }, 0.00001));
  }
  add(f, "lookout_incidents_open", gauge(agg, 0));
  for (const flow of ["automatrix-workflow", "relaycore-completion", "neuroweaver-deployment"]) {
    for (const outcome of ["success", "failure", "timeout"])
      add(
        f,
        "lookout_synthetic_runs_total",
        counter({ ...agg, flow, outcome }, outcome === "success" ? 1 / 60 : 0.0001),
      );
    histogram(f, "lookout_synthetic_run_duration_seconds", { ...agg, flow }, 1 / 60, 1.5, SECONDS_BUCKETS);
    for (const step of ["sign-in", "create", "run", "verify", "clean-up"])
      histogram(f, "lookout_synthetic_step_duration_seconds", { ...agg, flow, step }, 1 / 60, 0.3, SECONDS_BUCKETS);
    add(f, "lookout_synthetic_consecutive_failures", gauge({ ...agg, flow }, 0));
    add(f, "lookout_synthetic_alert_threshold", gauge({ ...agg, flow }, 3));
    add(f, "lookout_synthetic_last_run_success", gauge({ ...agg, flow }, 1));
  }
  add(f, "ALERTS", gauge({ alertname: "Watchdog", alertstate: "firing", severity: "none" }, 1));
  const amj = { component: "alertmanager", instance: "127.0.0.1:9093", job: "alertmanager" };
  for (const state of ["active", "expired", "pending"]) add(f, "alertmanager_silences", gauge({ ...amj, state }, 0));
  for (const state of ["active", "suppressed", "unprocessed"])
    add(f, "alertmanager_alerts", gauge({ ...amj, state }, state === "active" ? 1 : 0));
  for (const integration of ["email", "webhook", "slack"]) {
    add(
      f,
      "alertmanager_notifications_total",
      counter({ ...amj, integration }, integration === "webhook" ? 0.0006 : 0),
    );
    add(f, "alertmanager_notifications_failed_total", counter({ ...amj, integration }, 0));
  }
  add(f, "lookout_alert_notifications_received_total", counter({ ...agg, status: "firing" }, 0.0006));
  const col = { component: "otel-collector", instance: "127.0.0.1:8888", job: "otel-collector" };
  for (const transport of ["grpc", "http"]) {
    const r = { ...col, receiver: "otlp", transport };
    add(f, "otelcol_receiver_accepted_spans", counter(r, transport === "grpc" ? 40 : 2));
    add(f, "otelcol_receiver_refused_spans", counter(r, 0));
    add(f, "otelcol_receiver_failed_spans", counter(r, 0));
  }
  const jx = { ...col, exporter: "otlp_grpc/jaeger" };
  add(f, "otelcol_exporter_sent_spans", counter(jx, 8));
  add(f, "otelcol_exporter_send_failed_spans", counter(jx, 0));
  add(f, "otelcol_exporter_enqueue_failed_spans", counter(jx, 0));
  for (const [exporter, dataType, capacity] of [
    ["otlp_grpc/jaeger", "traces", 5000],
    ["prometheus_remote_write", "metrics", 10000],
  ] as const) {
    add(f, "otelcol_exporter_queue_size", gauge({ ...col, data_type: dataType, exporter }, 0, 2));
    add(f, "otelcol_exporter_queue_capacity", gauge({ ...col, data_type: dataType, exporter }, capacity));
  }
  const rw = { ...col, exporter: "prometheus_remote_write" };
  add(f, "otelcol_exporter_sent_metric_points", counter(rw, 120));
  add(f, "otelcol_exporter_send_failed_metric_points", counter(rw, 0));
  for (const policy of ["errors", "slow", "synthetic", "costly-ai-call", "baseline"]) {
    add(
      f,
      "otelcol_processor_tail_sampling_count_traces_sampled",
      counter({ ...col, decision: "sampled", policy, sampled: "true" }, policy === "baseline" ? 0.3 : 0.05),
    );
    add(
      f,
      "otelcol_processor_tail_sampling_count_traces_sampled",
      counter({ ...col, decision: "not_sampled", policy, sampled: "false" }, 2.7),
    );
  }
  add(f, "otelcol_processor_tail_sampling_sampling_traces_on_memory", gauge(col, 90, 40));
  add(f, "otelcol_processor_tail_sampling_sampling_trace_dropped_too_early", counter(col, 0));
  const prom = { component: "prometheus", instance: "127.0.0.1:9090", job: "prometheus" };
  add(f, "prometheus_remote_storage_samples_in_total", counter(prom, 120));
  add(f, "prometheus_tsdb_head_series", gauge(prom, 2500, 100));
  for (const job of [
    "prometheus",
    "alertmanager",
    "health-aggregator",
    "otel-collector",
    "jaeger",
    "node",
    "postgres",
    "redis",
    "automatrix",
    "relaycore",
    "neuroweaver",
  ]) {
    const s = { instance: `127.0.0.1:${job.length + 9000}`, job };
    add(f, "up", gauge(s, 1));
    add(f, "scrape_duration_seconds", gauge(s, 0.01, 0.02));
    add(f, "scrape_samples_scraped", gauge(s, 300, 20));
  }
  return f;
}

const labelText = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

/** Writes the OpenMetrics file; returns series and sample counts. */
async function writeOpenMetrics(path: string, endS: number): Promise<{ series: number; samples: number }> {
  const times: number[] = [];
  for (let t = endS - 30 * DAY; t < endS - DAY; t += 900) times.push(t);
  for (let t = endS - DAY; t < endS - 6 * 3600; t += 60) times.push(t);
  for (let t = endS - 6 * 3600; t <= endS; t += 15) times.push(t);
  const out = createWriteStream(path);
  let buffer = "";
  const flush = async () => {
    if (!out.write(buffer)) await new Promise<void>((r) => out.once("drain", () => r()));
    buffer = "";
  };
  let series = 0;
  let samples = 0;
  for (const [name, list] of model()) {
    buffer += `# TYPE ${name} gauge\n`;
    for (const s of list) {
      series++;
      const prefix = `${name}${labelText(s.labels)} `;
      let value = 0;
      for (let i = 0; i < times.length; i++) {
        const t = times[i]!;
        value = s.next(value, t, i === 0 ? 0 : t - times[i - 1]!, i);
        buffer += `${prefix}${Number(value.toPrecision(10))} ${t}\n`;
        samples++;
        if (buffer.length > 1 << 20) await flush();
      }
    }
  }
  buffer += "# EOF\n";
  await flush();
  await new Promise<void>((r) => out.end(r));
  return { series, samples };
}

async function main(): Promise<void> {
  const tools = toolPaths();
  const work = mkdtempSync("/tmp/lookout-bench-dashboards-");
  try {
    const endS = Math.floor(Date.now() / 1000 / 15) * 15;
    const file = join(work, "series.om");
    let started = performance.now();
    const { series, samples } = await writeOpenMetrics(file, endS);
    const generateS = (performance.now() - started) / 1000;
    console.log(
      `wrote ${series} series, ${(samples / 1e6).toFixed(1)} M samples (${(statSync(file).size / 2 ** 30).toFixed(2)} GiB) in ${generateS.toFixed(0)} s`,
    );
    const data = join(work, "data");
    mkdirSync(data);
    started = performance.now();
    const backfill = spawnSync(
      tools.promtool, // One pass per block: with the default 2 h blocks 30 days take 360 passes over the file (over an hour on 2
      // busy cores); 31-day blocks need a handful.
      ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=744h", file, data],
      {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      },
    );
    if (backfill.status !== 0) throw new Error(`promtool backfill failed:\n${backfill.stderr}`);
    const backfillS = (performance.now() - started) / 1000;
    rmSync(file);
    console.log(`promtool backfill: ${backfillS.toFixed(0)} s`);

    const port = await freePort();
    const config = join(work, "prometheus.yml");
    writeFileSync(config, "# bench: no scrapes, only the backfilled blocks\nglobal:\n  scrape_interval: 15s\n");
    const prometheus = spawn(
      tools.prometheus,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        "--storage.tsdb.retention.time=40d",
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: "ignore" },
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; ; i++) {
        const ready = await fetch(`${base}/-/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) break;
        if (i > 600) throw new Error("Prometheus on the backfilled data did not become ready in 60 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      const endpoints = { prometheus: base, jaeger: "", alertmanager: "" };
      const nowMs = endS * 1000;
      const rows: {
        dashboard: string;
        queries: number;
        medianSeconds: number;
        runsSeconds: number[];
        slowestQuery: string;
        slowestMs: number;
        emptyOrFailed: number;
      }[] = [];
      for (const dashboard of buildDashboards().values()) {
        const loads: number[] = [];
        let last: Awaited<ReturnType<typeof runDashboard>> = [];
        // One warm-up load (Prometheus reads its blocks' indexes once), then RUNS measured loads.
        for (let run = 0; run <= RUNS; run++) {
          const t0 = performance.now();
          const vars = await resolveVariables(dashboard, endpoints, nowMs);
          last = await runDashboard(dashboard, endpoints, nowMs, vars, {
            only: (p) => p.targets.every((t) => t.kind === "prometheus"),
            alertmanagerLinks: false,
          });
          if (run > 0) loads.push((performance.now() - t0) / 1000);
        }
        const slowest = [...last].sort((a, b) => b.ms - a.ms)[0]!;
        rows.push({
          dashboard: dashboard.title!,
          queries: last.length,
          medianSeconds: Math.round(median(loads) * 1000) / 1000,
          runsSeconds: loads.map((l) => Math.round(l * 1000) / 1000),
          slowestQuery: `${slowest.panel} ${slowest.refId}`,
          slowestMs: Math.round(slowest.ms),
          emptyOrFailed: last.filter((r) => !r.ok || r.items === 0).length,
        });
      }
      const load = loadavg().map((l) => Math.round(l * 100) / 100);
      console.log(
        `\nDashboard load on 30 days of data (${series} series), median of ${RUNS} loads, load average ${load.join(" ")}`,
      );
      console.log(
        "| dashboard | requests | load time (median) | vs requirement 3 s | vs target 1 s | slowest query | empty/failed |",
      );
      console.log("|---|---|---|---|---|---|---|");
      for (const r of rows)
        console.log(
          `| ${r.dashboard} | ${r.queries} | ${r.medianSeconds.toFixed(3)} s | ${(r.medianSeconds / REQUIREMENT_S).toFixed(2)}× | ${(r.medianSeconds / TARGET_S).toFixed(2)}× | ${r.slowestQuery} (${r.slowestMs} ms) | ${r.emptyOrFailed} |`,
        );
      const results = join(REPO_ROOT, "bench", "results");
      mkdirSync(results, { recursive: true });
      writeFileSync(
        join(results, "dashboards.json"),
        `${JSON.stringify(
          {
            measuredAt: new Date().toISOString(),
            loadAverage: load,
            data: {
              days: 30,
              series,
              samples,
              densitySeconds: { last6h: 15, last24h: 60, before: 900 },
              generateSeconds: Math.round(generateS),
              backfillSeconds: Math.round(backfillS),
            },
            requirementSeconds: REQUIREMENT_S,
            targetSeconds: TARGET_S,
            runs: RUNS,
            dashboards: rows,
          },
          null,
          2,
        )}\n`,
      );
      console.log("\nwritten: bench/results/dashboards.json");
    } finally {
      prometheus.kill("SIGTERM");
      await new Promise((r) => prometheus.once("exit", r));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
