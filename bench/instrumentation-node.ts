/**
 * The Node half of the instrumentation benchmark: five RelayCore processes from the same build and app code, in front
 * of the same NeuroWeaver (its simulated model latency 0, so the figures are RelayCore's own), PostgreSQL and Redis:
 *
 * - baseline: LOOKOUT_INSTRUMENTATION=off — no tracing, no metrics, not even the runtime collectors;
 * - metrics-only: the contract's HTTP, AI, process and business metrics (LOOKOUT_TRACING=off), scraped every 5 s as
 *   prometheus/prometheus.yml does;
 * - unexported: metrics and tracing with OTEL_TRACES_EXPORTER=none — every span made, none serialised or sent;
 * - instrumented: all of it, every span exported to the real collector gateway;
 * - stock: what a team would otherwise install — Lookout's instrumentation off, and
 *   `@opentelemetry/auto-instrumentations-node/register` with its defaults (every instrumentation it enables, its
 *   resource detectors and exporters) and the OTLP gRPC protocol, the ES-module hook of @opentelemetry/instrumentation
 *   loaded as its README says for an ESM app.
 *
 * "Per request" is one `POST /v1/completions` as production RelayCore serves it: parse and validate the JSON body,
 * read today's and this month's spend from Redis (MGET), pick a model, call NeuroWeaver over HTTP (undici), add the
 * cost to the spend counters (one Redis MULTI), insert the call into PostgreSQL, answer JSON.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Pool } from "undici";
import { REPO_ROOT } from "../shared/index.js";
import { components, httpReady, waitReady } from "../stack/index.js";
import { freePort, type PartialStack } from "../testkit/index.js";
import { summarize, VARIANTS, type LanguageFigures, type Variant } from "./instrumentation-summary.js";
import { counterSum, type RequestSpec, runInterleaved, type RunSettings, type Target } from "./load.js";

const BODY = JSON.stringify({
  prompt: "Summarize the following support ticket in one sentence. ".repeat(8),
  task: "chat",
  max_tokens: 256,
  workflow_id: "bench-workflow",
  user_id: "bench-user",
});
export const COMPLETION: RequestSpec = {
  path: "/v1/completions",
  method: "POST",
  headers: { "content-type": "application/json" },
  body: () => BODY,
};

/** The collector's accepted spans, from its own telemetry (behind the metrics token). */
export const collectorSpans = (stack: PartialStack) => () =>
  counterSum(
    `http://127.0.0.1:${stack.ctx.ports.COLLECTOR_METRICS}/metrics`,
    stack.ctx.secrets.metrics_token.value,
    /^otelcol_receiver_accepted_spans(?:_total)?\{[^}]*receiver="otlp"[^}]*\} (\S+)$/gm,
  );

function variantEnv(variant: Variant): Record<string, string> {
  switch (variant) {
    case "baseline":
      return { LOOKOUT_INSTRUMENTATION: "off" };
    case "metrics-only":
      return { LOOKOUT_TRACING: "off" };
    case "unexported":
      return { LOOKOUT_TRACING: "on", OTEL_TRACES_EXPORTER: "none" };
    case "instrumented":
      return { LOOKOUT_TRACING: "on", OTEL_TRACES_EXPORTER: "otlp" };
    case "stock":
      return {
        LOOKOUT_INSTRUMENTATION: "off",
        OTEL_SERVICE_NAME: "relaycore",
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      };
  }
}

/**
 * A started variant as the runner measures it, once its /health answers: its process, a connection pool, its /metrics
 * (variants with Lookout's metrics) and the collector's span count (variants that export spans).
 */
export async function variantTarget(
  stack: PartialStack,
  service: string,
  variant: Variant,
  child: ChildProcess,
  port: number,
  children: ChildProcess[],
): Promise<Target> {
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const failure = await waitReady(httpReady(`${url}/health`), 60_000, () =>
    child.exitCode !== null ? `exited with ${child.exitCode}` : undefined,
  );
  if (failure) throw new Error(`${service} (${variant}) not ready: ${failure}`);
  return {
    pids: [child.pid!],
    pool: new Pool(url, { connections: 64 }),
    metricsUrl: variant === "baseline" || variant === "stock" ? undefined : `${url}/metrics`,
    spans: variant === "instrumented" || variant === "stock" ? collectorSpans(stack) : undefined,
  };
}

/** Starts the five RelayCores; `profileDir` also writes a V8 CPU profile of each there on exit. */
export async function startRelayCores(
  stack: PartialStack,
  children: ChildProcess[],
  profileDir?: string,
): Promise<Record<Variant, Target>> {
  const spec = components(stack.ctx).find((s) => s.name === "relaycore")!;
  const start = async (variant: Variant): Promise<Target> => {
    const port = await freePort();
    const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, variant)}`] : [];
    const stock =
      variant === "stock"
        ? [
            "--experimental-loader=@opentelemetry/instrumentation/hook.mjs",
            "--import",
            "@opentelemetry/auto-instrumentations-node/register",
          ]
        : [];
    const child = spawn(spec.command, [...profile, ...stock, ...spec.args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...spec.env,
        LOOKOUT_TRACING: "on",
        LOOKOUT_PORT_RELAYCORE: String(port),
        LOOKOUT_RELAYCORE_DAILY_BUDGET_USD: "1000000000",
        LOOKOUT_RELAYCORE_MONTHLY_BUDGET_USD: "1000000000",
        LOG_LEVEL: "warn",
        NODE_NO_WARNINGS: "1",
        ...variantEnv(variant),
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    return variantTarget(stack, "relaycore", variant, child, port, children);
  };
  const targets = {} as Record<Variant, Target>;
  for (const variant of VARIANTS) targets[variant] = await start(variant);
  return targets;
}

/** Measures RelayCore's five variants; the partial stack must run postgres, redis, jaeger, collector, neuroweaver. */
export async function benchNode(
  stack: PartialStack,
  settings: RunSettings,
  children: ChildProcess[],
  profileDir?: string,
): Promise<LanguageFigures> {
  const targets = await startRelayCores(stack, children, profileDir);
  const measured = await runInterleaved("node", VARIANTS, targets, COMPLETION, settings);
  return summarize("relaycore", measured);
}
