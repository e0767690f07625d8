/**
 * The native stack's ports. Defaults are DESIGN.md's; each can be moved with `LOOKOUT_PORT_<NAME>` (for example
 * `LOOKOUT_PORT_PROMETHEUS=19090`). The README's ports table is generated from the same list by `lookout ports`.
 */
import { createServer } from "node:net";
import { LookoutError } from "../shared/index.js";
import { samplerCount } from "./samplers.js";

export interface PortSpec {
  /** Key used in env (`LOOKOUT_PORT_<KEY>`) and in the collector/Jaeger configs. */
  readonly key: string;
  readonly defaultPort: number;
  readonly component: string;
  readonly purpose: string;
  /** Used only when the stack runs at least this many gateway samplers (LOOKOUT_COLLECTOR_SAMPLERS, scaleout.ts). */
  readonly samplers?: number;
}

export const PORT_SPECS = [
  { key: "AGGREGATOR", defaultPort: 8080, component: "health-aggregator", purpose: "status page, API, /metrics" },
  { key: "OTLP_GRPC", defaultPort: 4317, component: "collector", purpose: "OTLP gRPC ingress (bearer token)" },
  { key: "OTLP_HTTP", defaultPort: 4318, component: "collector", purpose: "OTLP HTTP ingress (bearer token)" },
  { key: "COLLECTOR_HEALTH", defaultPort: 13133, component: "collector", purpose: "health check" },
  {
    key: "COLLECTOR_METRICS",
    defaultPort: 8888,
    component: "collector",
    purpose: "own telemetry (Prometheus, metrics token)",
  },
  {
    key: "COLLECTOR_PPROF",
    defaultPort: 1777,
    component: "collector",
    purpose: "pprof (off unless LOOKOUT_COLLECTOR_DEBUG=on; loopback only)",
  },
  {
    key: "COLLECTOR_ZPAGES",
    defaultPort: 55679,
    component: "collector",
    purpose: "zPages (off unless LOOKOUT_COLLECTOR_DEBUG=on; loopback only)",
  },
  // Only with LOOKOUT_COLLECTOR_SAMPLERS=2 (stack/scaleout.ts): the gateway samplers behind the load balancer.
  {
    key: "SAMPLER1_OTLP_GRPC",
    defaultPort: 14327,
    component: "collector-sampler-1",
    purpose: "OTLP gRPC from the LB",
    samplers: 2,
  },
  {
    key: "SAMPLER1_HEALTH",
    defaultPort: 13134,
    component: "collector-sampler-1",
    purpose: "health check",
    samplers: 2,
  },
  {
    key: "SAMPLER1_METRICS",
    defaultPort: 8889,
    component: "collector-sampler-1",
    purpose: "own telemetry",
    samplers: 2,
  },
  {
    key: "SAMPLER2_OTLP_GRPC",
    defaultPort: 14328,
    component: "collector-sampler-2",
    purpose: "OTLP gRPC from the LB",
    samplers: 2,
  },
  {
    key: "SAMPLER2_HEALTH",
    defaultPort: 13135,
    component: "collector-sampler-2",
    purpose: "health check",
    samplers: 2,
  },
  {
    key: "SAMPLER2_METRICS",
    defaultPort: 8890,
    component: "collector-sampler-2",
    purpose: "own telemetry",
    samplers: 2,
  },
  { key: "JAEGER_QUERY", defaultPort: 16686, component: "jaeger", purpose: "query UI and API" },
  { key: "JAEGER_QUERY_GRPC", defaultPort: 16685, component: "jaeger", purpose: "query gRPC API" },
  { key: "JAEGER_OTLP_GRPC", defaultPort: 14317, component: "jaeger", purpose: "OTLP gRPC from the gateway" },
  { key: "JAEGER_HEALTH", defaultPort: 14133, component: "jaeger", purpose: "health check" },
  { key: "PROMETHEUS", defaultPort: 9090, component: "prometheus", purpose: "UI, API, remote-write receiver" },
  { key: "ALERTMANAGER", defaultPort: 9093, component: "alertmanager", purpose: "UI and API" },
  { key: "NODE_EXPORTER", defaultPort: 9100, component: "node-exporter", purpose: "host metrics" },
  { key: "POSTGRES_EXPORTER", defaultPort: 9187, component: "postgres-exporter", purpose: "PostgreSQL metrics" },
  { key: "REDIS_EXPORTER", defaultPort: 9121, component: "redis-exporter", purpose: "Redis metrics" },
  { key: "POSTGRES", defaultPort: 15432, component: "postgres", purpose: "the stack's own PostgreSQL" },
  { key: "REDIS", defaultPort: 16379, component: "redis", purpose: "the stack's own Redis" },
  {
    key: "AUTOMATRIX",
    defaultPort: 8001,
    component: "automatrix",
    purpose: "demo workflow backend, /health, /metrics",
  },
  { key: "RELAYCORE", defaultPort: 8002, component: "relaycore", purpose: "demo AI request router, /health, /metrics" },
  { key: "NEUROWEAVER", defaultPort: 8003, component: "neuroweaver", purpose: "demo model serving, /health, /metrics" },
] as const satisfies readonly PortSpec[];

export type PortKey = (typeof PORT_SPECS)[number]["key"];
export type Ports = Readonly<Record<PortKey, number>>;

/** Whether the stack configured by env uses spec's port: the samplers' ports only when it runs that many samplers. */
export function portInUse(spec: PortSpec, env: NodeJS.ProcessEnv = process.env): boolean {
  return spec.samplers === undefined || samplerCount(env) >= spec.samplers;
}

/**
 * Resolves every port from the environment, refusing values that are not ports and two components on one port.
 * Ports of components the configured stack does not run (the samplers, without scale-out) are resolved but cannot
 * clash: nothing will listen on them.
 */
export function resolvePorts(env: NodeJS.ProcessEnv = process.env): Ports {
  const ports = {} as Record<PortKey, number>;
  const taken = new Map<number, string>();
  for (const spec of PORT_SPECS) {
    const name = `LOOKOUT_PORT_${spec.key}`;
    const raw = env[name];
    let port: number = spec.defaultPort;
    if (raw !== undefined && raw !== "") {
      port = Number(raw);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new LookoutError("LOOKOUT_ERR_CONFIG", `${name}=${JSON.stringify(raw)} is not a port number (1–65535)`);
      }
    }
    ports[spec.key] = port;
    if (!portInUse(spec, env)) continue;
    const other = taken.get(port);
    if (other !== undefined) {
      throw new LookoutError("LOOKOUT_ERR_CONFIG", `port ${port} is given to both ${other} and ${spec.key}`);
    }
    taken.set(port, spec.key);
  }
  return ports;
}

/** The environment variables that carry the ports to the collector and Jaeger configs (`${env:LOOKOUT_PORT_…}`). */
export function portEnv(ports: Ports): Record<string, string> {
  return Object.fromEntries(Object.entries(ports).map(([key, port]) => [`LOOKOUT_PORT_${key}`, String(port)]));
}

/** Resolves to undefined when the port can be bound on host, or to the bind error's code (EADDRINUSE, EACCES…). */
export function probePort(port: number, host = "127.0.0.1"): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks every port the configured stack will listen on before anything starts, so a clash is reported by port and
 * component, not as a crash log.
 */
export async function assertPortsFree(
  ports: Ports,
  env: NodeJS.ProcessEnv = process.env,
  host = "127.0.0.1",
): Promise<void> {
  const problems: string[] = [];
  for (const spec of PORT_SPECS.filter((s) => portInUse(s, env))) {
    const port = ports[spec.key];
    const code = await probePort(port, host);
    if (code === "EADDRINUSE") {
      problems.push(`port ${port} (${spec.component}: ${spec.purpose}) is already in use`);
    } else if (code !== undefined) {
      problems.push(`port ${port} (${spec.component}) cannot be bound: ${code}`);
    }
  }
  if (problems.length > 0) {
    throw new LookoutError(
      "LOOKOUT_ERR_PORT_IN_USE",
      `${problems.join("\n")}\nStop whatever holds it (\`ss -ltnp 'sport = :PORT'\` shows it) or move Lookout's ` +
        `component with LOOKOUT_PORT_<NAME>=<port>; \`lookout ports\` lists the names.`,
    );
  }
}
