/**
 * The native stack's components: how each is prepared, started and judged ready. Descriptions — the supervisor
 * (supervisor.ts) runs them, and each `prepare` just before its component starts; PostgreSQL's cluster set-up
 * (initdb, ownership) is postgres.ts's. Order matters: a component starts after those it needs are ready.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { LookoutError, REPO_ROOT } from "../shared/index.js";
import { type Ports, portEnv } from "./ports.js";
import { httpReady, redisReady } from "./readiness.js";
import { renderFile } from "./render.js";
import { gatewayTopology, jaegerTelemetryEndpoint, samplerMetricsAddresses } from "./scaleout.js";
import { demoComponents, demoRenderValues } from "./demo-components.js";
import { alertingRenderValues, sentinelRenderValues } from "./alerting.js";
import { webAuthorization, writeWebConfig } from "./web-auth.js";
import { ensureStackTls, stackTlsFiles, tlsClientAgent, tlsClientRenderValues, tlsEnv } from "./tls.js";
import { postgresComponent } from "./postgres.js";
import { type ComponentSpec, LOOPBACK, postgresUrl, type StackContext } from "./spec.js";
import type { Dispatcher } from "undici";

/**
 * The Go runtime's memory limit for every collector the stack runs (gateway, samplers, load balancer) and for the
 * collectors of bench/collector.ts: about 80% of the gateway's 512 MiB budget, as the memory_limiter processor's own
 * documentation advises, and no higher than gateway.yaml's memory_limiter soft limit (400 MiB of heap), so the runtime
 * collects garbage before the limiter would count it and refuse data. compose/docker-compose.yml sets the same value
 * (stack/compose.ts checks). GOMEMLIMIT in the environment overrides it.
 */
export const COLLECTOR_GOMEMLIMIT = "400MiB";

/** Parses a Prometheus duration such as 30d, 12w, 1y, 720h and checks it is within (0, 1 year]. */
export function parseRetention(raw: string | undefined): string {
  const value = raw && raw.trim() !== "" ? raw.trim() : "30d";
  const match = /^(\d+)(h|d|w|y)$/.exec(value);
  const days = match ? Number(match[1]) * { h: 1 / 24, d: 1, w: 7, y: 365 }[match[2] as "h" | "d" | "w" | "y"] : NaN;
  if (!match || !(days > 0) || days > 366) {
    throw new LookoutError(
      "LOOKOUT_ERR_CONFIG",
      `LOOKOUT_RETENTION=${JSON.stringify(value)} is not a retention between 1h and 1y (examples: 30d, 12w, 1y)`,
    );
  }
  return value;
}

/**
 * Values for the `${NAME}` placeholders of prometheus/prometheus.yml and alerts/alertmanager.yml; env decides the
 * collector topology (LOOKOUT_COLLECTOR_SAMPLERS), whose samplers Prometheus scrapes too.
 */
export function renderValues(ctx: StackContext, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const at = (port: number) => `${LOOPBACK}:${port}`;
  const p = ctx.ports;
  return {
    LOOKOUT_STACK_NAME: "native",
    LOOKOUT_RULES_DIR: join(REPO_ROOT, "alerts", "rules"),
    LOOKOUT_ALERTMANAGER_ADDR: at(p.ALERTMANAGER),
    LOOKOUT_PROMETHEUS_ADDR: at(p.PROMETHEUS),
    LOOKOUT_AGGREGATOR_ADDR: at(p.AGGREGATOR),
    LOOKOUT_COLLECTOR_METRICS_ADDR: at(p.COLLECTOR_METRICS),
    // A YAML flow list: the samplers' own telemetry with LOOKOUT_COLLECTOR_SAMPLERS=2, `[]` with one gateway.
    LOOKOUT_COLLECTOR_SAMPLER_METRICS_ADDRS: JSON.stringify(samplerMetricsAddresses(p, env)),
    LOOKOUT_NODE_EXPORTER_ADDR: at(p.NODE_EXPORTER),
    LOOKOUT_POSTGRES_EXPORTER_ADDR: at(p.POSTGRES_EXPORTER),
    LOOKOUT_REDIS_EXPORTER_ADDR: at(p.REDIS_EXPORTER),
    LOOKOUT_METRICS_TOKEN_FILE: ctx.secrets.metrics_token.file,
    LOOKOUT_WEB_PASSWORD_FILE: ctx.secrets.web_password.file,
    // Prometheus scrapes the Redis exporter with the stack's client certificate (stack/tls.ts).
    ...tlsClientRenderValues(stackTlsFiles(ctx.layout.secrets)),
    LOOKOUT_ADMIN_TOKEN_FILE: ctx.secrets.admin_token.file,
    LOOKOUT_ALERT_WEBHOOK_URL: `http://${at(p.AGGREGATOR)}/api/v1/alerts/webhook`,
    // Demo services (issue 3): scrape targets of the stand-ins for AutoMatrix, RelayCore and NeuroWeaver.
    ...demoRenderValues(ctx),
    // Who gets notified besides the aggregator (stack/alerting.ts).
    ...alertingRenderValues(ctx.layout.secrets),
    // The watchdog to a sentinel on another host, when one is configured (stack/alerting.ts, docs/sentinel.md).
    ...sentinelRenderValues(ctx.layout.secrets, env),
  };
}

/** The `LOOKOUT_*_ADDR` variables health-aggregator/lookout.yml reads, for the native stack's loopback ports. */
export function aggregatorTargetAddresses(p: Ports): Record<string, string> {
  const at = (port: number) => `${LOOPBACK}:${port}`;
  return {
    LOOKOUT_AUTOMATRIX_ADDR: at(p.AUTOMATRIX),
    LOOKOUT_RELAYCORE_ADDR: at(p.RELAYCORE),
    LOOKOUT_NEUROWEAVER_ADDR: at(p.NEUROWEAVER),
    LOOKOUT_ALERTMANAGER_ADDR: at(p.ALERTMANAGER),
    LOOKOUT_PROMETHEUS_ADDR: at(p.PROMETHEUS),
    LOOKOUT_COLLECTOR_HEALTH_ADDR: at(p.COLLECTOR_HEALTH),
    LOOKOUT_JAEGER_HEALTH_ADDR: at(p.JAEGER_HEALTH),
    // Jaeger's UI takes the stack's client certificate (stack/tls.ts): a browser needs it imported.
    LOOKOUT_JAEGER_UI_URL: `https://${at(p.JAEGER_QUERY)}`,
  };
}

/**
 * Every variable health-aggregator/lookout.yml references, for loading it outside the running stack (validation, CLI
 * commands that only need part of it): the addresses of the native stack's ports and unreachable connection URLs.
 */
export function aggregatorConfigPlaceholders(ports: Ports): Record<string, string> {
  return {
    ...portEnv(ports),
    ...aggregatorTargetAddresses(ports),
    LOOKOUT_WEB_AUTHORIZATION: "Basic unused",
    LOOKOUT_POSTGRES_URL: `postgresql://unused@${LOOPBACK}:1/unused`,
    LOOKOUT_REDIS_URL: `redis://${LOOPBACK}:1`,
  };
}

/** LOOKOUT_COLLECTOR_DEBUG=on merges otel-collector/debug.yaml (pprof and zPages on loopback); off by default. */
export function collectorDebugArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = (env.LOOKOUT_COLLECTOR_DEBUG ?? "off").trim() || "off";
  if (raw !== "on" && raw !== "off") {
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `LOOKOUT_COLLECTOR_DEBUG=${JSON.stringify(raw)}: expected on or off`);
  }
  return raw === "on" ? ["--config", join(REPO_ROOT, "otel-collector", "debug.yaml")] : [];
}

/** The stack's components; env decides the optional parts (collector samplers, demo load generator). */
export function components(ctx: StackContext, env: NodeJS.ProcessEnv = process.env): ComponentSpec[] {
  const { layout, ports, secrets, tools } = ctx;
  const http = (port: number, path = "") => `http://${LOOPBACK}:${port}${path}`;
  const common = { ...portEnv(ports), LOOKOUT_BIND_HOST: LOOPBACK };
  // Prometheus, Alertmanager and the exporters answer only the user lookout (stack/web-auth.ts); each reads its own
  // copy of the web configuration, rewritten at its start.
  const webAuth = { authorization: webAuthorization(secrets.web_password.value) };
  const webConfig = (name: string) => join(layout.config, `web-config-${name}.yml`);
  const writeWeb = (name: string) => writeWebConfig(webConfig(name), secrets.web_password.value);
  // Jaeger and the Redis exporter take only clients with the stack's certificate (stack/tls.ts).
  const tls = stackTlsFiles(layout.secrets);
  const ensureTls = () => ensureStackTls(layout.secrets);
  let agent: Dispatcher | undefined;
  const tlsAgent = () => (agent ??= tlsClientAgent(tls));
  const dsn = postgresUrl(ctx, { sslmode: "disable" });

  // The collector's topology (one gateway, or a load balancer and samplers) is stack/scaleout.ts's business.
  const topology = (specs: ComponentSpec[]) => gatewayTopology(ctx, specs, env);
  // The demo services start before the aggregator and the load generator after it: an aggregator that came up first
  // would see them down for a few seconds and page for it (ServiceDown) at every start.
  const demo = demoComponents(ctx, env);
  const demoServices = demo.filter((spec) => spec.name !== "loadgen");
  const loadgen = demo.filter((spec) => spec.name === "loadgen");
  return topology([
    postgresComponent(ctx),
    {
      name: "redis",
      command: tools.redisServer,
      args: [
        "--bind",
        LOOPBACK,
        "--port",
        String(ports.REDIS),
        "--dir",
        layout.data("redis"),
        "--appendonly",
        "yes",
        "--protected-mode",
        "yes",
        "--requirepass",
        secrets.redis_password.value,
        "--save",
        "60 1",
        "--daemonize",
        "no",
        "--logfile",
        "",
      ],
      prepare: () => mkdirSync(layout.data("redis"), { recursive: true, mode: 0o700 }),
      ready: redisReady(LOOPBACK, ports.REDIS, secrets.redis_password.value),
      url: `redis://${LOOPBACK}:${ports.REDIS}`,
    },
    {
      name: "jaeger",
      command: tools.jaeger,
      args: ["--config", join(REPO_ROOT, "jaeger", "config.yaml")],
      env: {
        ...common,
        ...tlsEnv(tls),
        LOOKOUT_JAEGER_DATA_DIR: layout.data("jaeger"),
        // Its own telemetry is pushed to the collector tier with the OTLP token (jaeger/config.yaml).
        LOOKOUT_JAEGER_TELEMETRY_ENDPOINT: jaegerTelemetryEndpoint(ports, env),
        LOOKOUT_OTLP_TOKEN: secrets.otlp_token.value,
      },
      prepare: () => {
        mkdirSync(layout.data("jaeger"), { recursive: true });
        ensureTls();
      },
      ready: httpReady(`https://${LOOPBACK}:${ports.JAEGER_QUERY}/api/services`, {}, tlsAgent),
      url: `https://${LOOPBACK}:${ports.JAEGER_QUERY}`,
      readyTimeoutSeconds: 60,
    },
    {
      name: "prometheus",
      command: tools.prometheus,
      args: [
        `--config.file=${join(layout.config, "prometheus.yml")}`,
        `--storage.tsdb.path=${layout.data("prometheus")}`,
        `--storage.tsdb.retention.time=${ctx.retention}`,
        `--web.listen-address=${LOOPBACK}:${ports.PROMETHEUS}`,
        `--web.config.file=${webConfig("prometheus")}`,
        `--web.enable-remote-write-receiver`,
        `--web.enable-lifecycle`,
        // Keeps the exemplars (trace ids) that span metrics carry, for Grafana's exemplar links to Jaeger.
        `--enable-feature=exemplar-storage`,
        `--web.console.templates=/usr/share/prometheus/consoles`,
        `--web.console.libraries=/usr/share/prometheus/console_libraries`,
      ],
      prepare: () => {
        mkdirSync(layout.data("prometheus"), { recursive: true });
        renderFile(join(REPO_ROOT, "prometheus", "prometheus.yml"), layout.config, renderValues(ctx, env));
        writeWeb("prometheus");
        ensureTls();
      },
      ready: httpReady(http(ports.PROMETHEUS, "/-/ready"), webAuth),
      url: http(ports.PROMETHEUS),
      readyTimeoutSeconds: 60,
    },
    {
      name: "alertmanager",
      command: tools.alertmanager,
      args: [
        `--config.file=${join(layout.config, "alertmanager.yml")}`,
        `--storage.path=${layout.data("alertmanager")}`,
        `--web.listen-address=${LOOPBACK}:${ports.ALERTMANAGER}`,
        `--web.config.file=${webConfig("alertmanager")}`,
        // A single Alertmanager: no gossip port (it would take 9094 on every interface).
        `--cluster.listen-address=`,
      ],
      prepare: () => {
        mkdirSync(layout.data("alertmanager"), { recursive: true });
        renderFile(join(REPO_ROOT, "alerts", "alertmanager.yml"), layout.config, renderValues(ctx, env));
        writeWeb("alertmanager");
      },
      ready: httpReady(http(ports.ALERTMANAGER, "/-/ready"), webAuth),
      url: http(ports.ALERTMANAGER),
    },
    {
      name: "collector",
      command: tools.collector,
      args: ["--config", join(REPO_ROOT, "otel-collector", "gateway.yaml"), ...collectorDebugArgs(env)],
      env: {
        ...common,
        LOOKOUT_OTLP_TOKEN: secrets.otlp_token.value,
        // Its own telemetry answers Prometheus only with the metrics token (gateway.yaml, prometheus/self).
        LOOKOUT_METRICS_TOKEN: secrets.metrics_token.value,
        LOOKOUT_COLLECTOR_STORAGE_DIR: layout.data("collector"),
        LOOKOUT_JAEGER_OTLP_ENDPOINT: `${LOOPBACK}:${ports.JAEGER_OTLP_GRPC}`,
        LOOKOUT_PROMETHEUS_REMOTE_WRITE_URL: http(ports.PROMETHEUS, "/api/v1/write"),
        LOOKOUT_PROMETHEUS_AUTHORIZATION: webAuth.authorization,
        ...tlsEnv(tls),
        GOMEMLIMIT: env.GOMEMLIMIT ?? COLLECTOR_GOMEMLIMIT,
      },
      prepare: () => {
        mkdirSync(layout.data("collector"), { recursive: true });
        ensureTls();
      },
      ready: httpReady(http(ports.COLLECTOR_HEALTH, "/")),
      url: `grpc://${LOOPBACK}:${ports.OTLP_GRPC}, ${http(ports.OTLP_HTTP)}`,
    },
    {
      name: "node-exporter",
      command: tools.nodeExporter,
      args: [
        `--web.listen-address=${LOOPBACK}:${ports.NODE_EXPORTER}`,
        `--web.config.file=${webConfig("node-exporter")}`,
      ],
      prepare: () => writeWeb("node-exporter"),
      ready: httpReady(http(ports.NODE_EXPORTER, "/metrics"), webAuth),
      url: http(ports.NODE_EXPORTER, "/metrics"),
    },
    {
      name: "postgres-exporter",
      command: tools.postgresExporter,
      args: [
        `--web.listen-address=${LOOPBACK}:${ports.POSTGRES_EXPORTER}`,
        `--web.config.file=${webConfig("postgres-exporter")}`,
      ],
      env: { DATA_SOURCE_NAME: dsn },
      prepare: () => writeWeb("postgres-exporter"),
      ready: httpReady(http(ports.POSTGRES_EXPORTER, "/metrics"), webAuth),
      url: http(ports.POSTGRES_EXPORTER, "/metrics"),
    },
    {
      name: "redis-exporter",
      command: tools.redisExporter,
      args: [
        `-web.listen-address=${LOOPBACK}:${ports.REDIS_EXPORTER}`,
        `-redis.addr=redis://${LOOPBACK}:${ports.REDIS}`,
        // redis_exporter 1.45 has no basic auth: only clients with the stack's certificate get in.
        `-tls-server-cert-file=${tls.serverCertFile}`,
        `-tls-server-key-file=${tls.serverKeyFile}`,
        `-tls-server-ca-cert-file=${tls.caFile}`,
      ],
      env: { REDIS_PASSWORD: secrets.redis_password.value },
      prepare: ensureTls,
      ready: httpReady(`https://${LOOPBACK}:${ports.REDIS_EXPORTER}/metrics`, {}, tlsAgent),
      url: `https://${LOOPBACK}:${ports.REDIS_EXPORTER}/metrics`,
    },
    // ---- Demo services (issue 3): defined in stack/demo-components.ts ----
    ...demoServices,
    {
      name: "health-aggregator",
      command: process.execPath,
      args: [join(REPO_ROOT, "dist", "health-aggregator", "src", "server.js")],
      env: {
        ...portEnv(ports),
        // Each target's address, as health-aggregator/lookout.yml names them (compose sets the same variables).
        ...aggregatorTargetAddresses(ports),
        LOOKOUT_AGGREGATOR_HOST: LOOPBACK,
        LOOKOUT_METRICS_TOKEN: secrets.metrics_token.value,
        LOOKOUT_ADMIN_TOKEN: secrets.admin_token.value,
        LOOKOUT_ADMIN_JWT_SECRET: secrets.admin_jwt_secret.value,
        LOOKOUT_WEB_AUTHORIZATION: webAuth.authorization,
        LOOKOUT_AGGREGATOR_DATA_DIR: layout.data("health-aggregator"),
        LOOKOUT_AGGREGATOR_CONFIG: join(REPO_ROOT, "health-aggregator", "lookout.yml"),
        LOOKOUT_POSTGRES_URL: dsn,
        LOOKOUT_REDIS_URL: `redis://:${encodeURIComponent(secrets.redis_password.value)}@${LOOPBACK}:${ports.REDIS}`,
        // Synthetic runs are traced through the gateway like any service (synthetics/src/tracing.ts).
        OTEL_EXPORTER_OTLP_ENDPOINT: http(ports.OTLP_GRPC),
        LOOKOUT_OTLP_TOKEN: secrets.otlp_token.value,
        // The synthetic user's password for the AutoMatrix flow's sign-in (synthetics/flows/automatrix.ts).
        LOOKOUT_SYNTHETIC_PASSWORD: secrets.synthetic_password.value,
        // The flows' trace assertions read each run's trace from Jaeger's query API, which takes only the stack's
        // client certificate (synthetics/src/jaeger.ts).
        LOOKOUT_JAEGER_QUERY_URL: `https://${LOOPBACK}:${ports.JAEGER_QUERY}`,
        ...tlsClientRenderValues(tls),
      },
      prepare: () => mkdirSync(layout.data("health-aggregator"), { recursive: true }),
      ready: httpReady(http(ports.AGGREGATOR, "/health")),
      url: http(ports.AGGREGATOR),
    },

    // ---- The demo load generator, once everything it exercises and everything watching it is up ----
    ...loadgen,
  ]);
}
