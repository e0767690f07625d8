/**
 * How the native stack deploys the collector gateway.
 *
 * - Default: one collector running otel-collector/gateway.yaml (redaction, span metrics, tail sampling, fan-out).
 * - `LOOKOUT_COLLECTOR_SAMPLERS=2`: the two-tier shape of docs/scaling.md. The `collector` component becomes the
 *   first tier (otel-collector/loadbalancer.yaml on the same public OTLP ports), routing every span by trace id to
 *   `collector-sampler-1` and `collector-sampler-2`, each a full gateway.yaml on its own ports (SAMPLER<n>_* in
 *   ports.ts). Tail sampling needs every span of a trace on one collector; routing by trace id guarantees it.
 *
 * Every gateway instance also gets the key that turns user ids into keyed hashes (LOOKOUT_USER_ID_HASH_KEY, or one
 * generated once into LOOKOUT_HOME/secrets/user_id_hash_key). All samplers share it, so hashes stay joinable.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { samplerCount } from "./samplers.js";
import { type ComponentSpec, LOOPBACK, type StackContext } from "./spec.js";
import { userIdHashKey } from "./secrets.js";
import { REPO_ROOT } from "../shared/index.js";
import type { PortKey, Ports } from "./ports.js";
import { httpReady } from "./readiness.js";

interface SamplerPorts {
  otlpGrpc: PortKey;
  health: PortKey;
  metrics: PortKey;
}

const SAMPLER_PORTS: readonly SamplerPorts[] = [
  { otlpGrpc: "SAMPLER1_OTLP_GRPC", health: "SAMPLER1_HEALTH", metrics: "SAMPLER1_METRICS" },
  { otlpGrpc: "SAMPLER2_OTLP_GRPC", health: "SAMPLER2_HEALTH", metrics: "SAMPLER2_METRICS" },
];

/**
 * Where Jaeger pushes its own telemetry (OTLP gRPC, with the token): the gateway, or the first sampler behind the load
 * balancer, whose metrics/jaeger pipeline writes it to Prometheus.
 */
export function jaegerTelemetryEndpoint(ports: Ports, env: NodeJS.ProcessEnv = process.env): string {
  const port = samplerCount(env) > 1 ? ports[SAMPLER_PORTS[0]!.otlpGrpc] : ports.OTLP_GRPC;
  return `http://${LOOPBACK}:${port}`;
}

/** Where the samplers serve their own telemetry (for Prometheus to scrape); none with one gateway. */
export function samplerMetricsAddresses(ports: Ports, env: NodeJS.ProcessEnv = process.env): string[] {
  return SAMPLER_PORTS.slice(0, samplerCount(env) > 1 ? samplerCount(env) : 0).map(
    (p) => `${LOOPBACK}:${ports[p.metrics]}`,
  );
}

/**
 * Rewrites the `collector` component of specs for the configured topology (see the file comment); every other
 * component is returned unchanged, in its place.
 */
export function gatewayTopology(
  ctx: StackContext,
  specs: ComponentSpec[],
  env: NodeJS.ProcessEnv = process.env,
): ComponentSpec[] {
  const index = specs.findIndex((s) => s.name === "collector");
  if (index < 0) return specs;
  const gateway = specs[index]!;
  const gatewayEnv = { ...gateway.env, LOOKOUT_USER_ID_HASH_KEY: userIdHashKey(ctx.layout.secrets, env) };
  const count = samplerCount(env);
  if (count === 1) return specs.with(index, { ...gateway, env: gatewayEnv });

  const { ports, layout } = ctx;
  const samplers: ComponentSpec[] = SAMPLER_PORTS.slice(0, count).map((p, i) => {
    const name = `collector-sampler-${i + 1}`;
    return {
      ...gateway,
      name,
      env: {
        ...gatewayEnv,
        LOOKOUT_PORT_OTLP_GRPC: String(ports[p.otlpGrpc]),
        LOOKOUT_PORT_COLLECTOR_HEALTH: String(ports[p.health]),
        LOOKOUT_PORT_COLLECTOR_METRICS: String(ports[p.metrics]),
        // Not used behind the load balancer: port 0 lets the kernel pick, so they need no entry in ports.ts.
        LOOKOUT_PORT_OTLP_HTTP: "0",
        LOOKOUT_PORT_COLLECTOR_PPROF: "0",
        LOOKOUT_PORT_COLLECTOR_ZPAGES: "0",
        LOOKOUT_COLLECTOR_STORAGE_DIR: layout.data(name),
        LOOKOUT_COLLECTOR_INSTANCE_ID: `lookout-sampler-${i + 1}`,
      },
      prepare: () => mkdirSync(layout.data(name), { recursive: true }),
      ready: httpReady(`http://${LOOPBACK}:${ports[p.health]}/`),
      url: `grpc://${LOOPBACK}:${ports[p.otlpGrpc]}`,
    };
  });
  const balancer: ComponentSpec = {
    ...gateway,
    args: ["--config", join(REPO_ROOT, "otel-collector", "loadbalancer.yaml")],
    env: {
      ...gatewayEnv,
      LOOKOUT_LB_SAMPLER_ENDPOINTS: JSON.stringify(
        SAMPLER_PORTS.slice(0, count).map((p) => `${LOOPBACK}:${ports[p.otlpGrpc]}`),
      ),
      LOOKOUT_COLLECTOR_INSTANCE_ID: "lookout-loadbalancer-0",
    },
  };
  return [...specs.slice(0, index), ...samplers, balancer, ...specs.slice(index + 1)];
}
