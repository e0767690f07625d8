/**
 * The demo services as stack components: NeuroWeaver and AutoMatrix (FastAPI under uvicorn, instrumented by
 * instrumentation-py, run by the Python environment of stack/python.ts), RelayCore (Express, instrumented by
 * @lookout/instrumentation) — each with its own
 * database in the stack's PostgreSQL and its own Redis database number, exporting traces to the gateway), and the
 * load generator (left out when LOOKOUT_LOADGEN=off). They start after everything else, downstream first.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ComponentSpec, LOOPBACK, postgresUrl, type StackContext } from "./spec.js";
import { REPO_ROOT } from "../shared/index.js";
import { httpReady } from "./readiness.js";
import { pythonPath, venvPython } from "./python.js";
import { userIdHashKey } from "./secrets.js";

/** The Redis database number of each service: one Redis, no key collisions between services. */
const REDIS_DB = { automatrix: 1, relaycore: 2, neuroweaver: 3 } as const;

/** `${NAME}` values for the demo scrape jobs of prometheus/prometheus.yml. */
export function demoRenderValues(ctx: StackContext): Record<string, string> {
  return {
    LOOKOUT_AUTOMATRIX_ADDR: `${LOOPBACK}:${ctx.ports.AUTOMATRIX}`,
    LOOKOUT_RELAYCORE_ADDR: `${LOOPBACK}:${ctx.ports.RELAYCORE}`,
    LOOKOUT_NEUROWEAVER_ADDR: `${LOOPBACK}:${ctx.ports.NEUROWEAVER}`,
  };
}

export function demoComponents(ctx: StackContext, env: NodeJS.ProcessEnv = process.env): ComponentSpec[] {
  const { ports, secrets, layout } = ctx;
  const http = (port: number, path = "") => `http://${LOOPBACK}:${port}${path}`;
  const pg = postgresUrl(ctx, { sslmode: "disable" });
  const redis = (db: number) =>
    `redis://:${encodeURIComponent(secrets.redis_password.value)}@${LOOPBACK}:${ports.REDIS}/${db}`;
  const common = {
    LOOKOUT_DEMO_HOST: LOOPBACK,
    LOOKOUT_POSTGRES_URL: pg,
    LOOKOUT_ADMIN_TOKEN: secrets.admin_token.value,
    LOOKOUT_METRICS_TOKEN: secrets.metrics_token.value,
    // The collector's key (stack/scaleout.ts): services and gateway hash user ids the same way.
    LOOKOUT_USER_ID_HASH_KEY: userIdHashKey(layout.secrets, env),
    // The standard SDK variables, as a real service would be configured (README: "Pointing real services at Lookout").
    OTEL_EXPORTER_OTLP_ENDPOINT: http(ports.OTLP_GRPC),
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${secrets.otlp_token.value}`,
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=demo",
    // Export every second rather than every 5: a trace shows up in Jaeger sooner, the batches stay small.
    OTEL_BSP_SCHEDULE_DELAY: "1000",
  };
  /** RelayCore runs on Node; AutoMatrix and NeuroWeaver are Python, as in production (demo/python/lookout_demo). */
  const runtime = (
    name: keyof typeof REDIS_DB,
  ): Pick<ComponentSpec, "command" | "args"> & { env: Record<string, string> } =>
    name === "relaycore"
      ? { command: process.execPath, args: [join(REPO_ROOT, "dist", "demo", name, "server.js")], env: {} }
      : {
          command: venvPython(env),
          args: ["-m", `lookout_demo.${name}`],
          env: { PYTHONPATH: pythonPath(), PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
        };
  const service = (name: keyof typeof REDIS_DB, port: number, extra: Record<string, string>): ComponentSpec => ({
    name,
    command: runtime(name).command,
    args: runtime(name).args,
    env: {
      ...common,
      ...runtime(name).env,
      LOOKOUT_REDIS_URL: redis(REDIS_DB[name]),
      [`LOOKOUT_PORT_${name.toUpperCase()}`]: String(port),
      ...extra,
    },
    ready: httpReady(http(port, "/health")),
    url: http(port),
  });
  const statusFile = join(layout.run, "loadgen.json");
  const specs: ComponentSpec[] = [
    service("neuroweaver", ports.NEUROWEAVER, {}),
    service("relaycore", ports.RELAYCORE, { LOOKOUT_NEUROWEAVER_URL: http(ports.NEUROWEAVER) }),
    service("automatrix", ports.AUTOMATRIX, { LOOKOUT_RELAYCORE_URL: http(ports.RELAYCORE) }),
  ];
  if (env.LOOKOUT_LOADGEN !== "off") {
    specs.push({
      name: "loadgen",
      command: process.execPath,
      args: [join(REPO_ROOT, "dist", "demo", "loadgen", "main.js")],
      env: {
        LOOKOUT_AUTOMATRIX_URL: http(ports.AUTOMATRIX),
        LOOKOUT_NEUROWEAVER_URL: http(ports.NEUROWEAVER),
        LOOKOUT_LOADGEN_STATUS_FILE: statusFile,
        LOOKOUT_LOADGEN_RPS: env.LOOKOUT_LOADGEN_RPS ?? "2",
      },
      // A fresh status file each start: its appearance is the readiness signal.
      prepare: () => rmSync(statusFile, { force: true }),
      ready: () => Promise.resolve(existsSync(statusFile) ? undefined : `no status in ${statusFile} yet`),
      url: `${statusFile} (LOOKOUT_LOADGEN=off to disable)`,
    });
  }
  return specs;
}
