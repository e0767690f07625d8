/**
 * The Python services the instrumentation benchmark (bench/instrumentation.ts) compares: one NeuroWeaver process (FastAPI under uvicorn, one
 * worker, the demo's real code, PostgreSQL and Redis) per variant, all from the same environment and the same app,
 * differing only in their environment — and, for `stock`, in being started by `opentelemetry-instrument`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Pool } from "undici";
import { components } from "../stack/index.js";
import { freePort, type PartialStack } from "../testkit/index.js";
import { variantTarget } from "./instrumentation-node.js";
import type { Variant } from "./instrumentation-summary.js";
import type { RequestSpec, Target } from "./load.js";

/**
 * baseline: LOOKOUT_INSTRUMENTATION=off; metrics-only: Lookout with LOOKOUT_TRACING=off; unexported: Lookout tracing
 * with OTEL_TRACES_EXPORTER=none (every span made and ended, none serialised or sent); instrumented: all of Lookout,
 * every span exported to the gateway; stock: Lookout off, the service run by `opentelemetry-instrument` with the
 * distro's defaults (OTLP gRPC traces, metrics and logs; every installed instrumentation: FastAPI with its ASGI
 * receive/send spans, httpx, asyncpg, redis), as a team would set it up without Lookout.
 */
type PythonVariant = Variant;

/** NeuroWeaver's model with the catalogue's shortest answers (demo/shared/models.json); any of its own would do. */
export const BENCH_MODEL = "nw-llama-3-8b";
/**
 * One inference as production NeuroWeaver serves it: parse and validate the JSON body, read the model's active
 * deployment from Redis (GET; every 60 s the cached entry expires and one request reads PostgreSQL and sets it again),
 * simulate the generation (latency 0 here), INSERT the inference into PostgreSQL, answer JSON. Instrumented by Lookout
 * that is 3 spans: HTTP server, Redis GET, asyncpg INSERT.
 */
const INFERENCE_BODY = JSON.stringify({
  model: BENCH_MODEL,
  prompt: "Summarize the following support ticket in one sentence. ".repeat(8),
  max_tokens: 256,
});
export const INFERENCE: RequestSpec = {
  path: "/v1/inference",
  method: "POST",
  headers: { "content-type": "application/json" },
  body: () => INFERENCE_BODY,
};

/** Lookout's variables per variant (the stock variant's are the distro's defaults, left unset). */
function variantEnv(variant: PythonVariant): Record<string, string> {
  switch (variant) {
    case "baseline":
      return { LOOKOUT_INSTRUMENTATION: "off" };
    case "metrics-only":
      return { LOOKOUT_TRACING: "off" };
    case "unexported":
      return { OTEL_TRACES_EXPORTER: "none" };
    case "instrumented":
      return {};
    case "stock":
      return { LOOKOUT_INSTRUMENTATION: "off", OTEL_SERVICE_NAME: "neuroweaver" };
  }
}

/**
 * `python -m lookout_demo.neuroweaver`, or for stock the same under `opentelemetry-instrument` — run as its module
 * function: the venv's bin/ scripts hard-code the folder it was built in (stack/python.ts), and `run()` execs the
 * command, so the PID measured is the service's own.
 */
function commandFor(variant: PythonVariant, python: string, args: readonly string[]): string[] {
  if (variant !== "stock") return [python, ...args];
  const launcher =
    "import sys; from opentelemetry.instrumentation.auto_instrumentation import run; " +
    "sys.argv[0] = 'opentelemetry-instrument'; run()";
  return [python, "-c", launcher, python, ...args];
}

async function startPythonService(
  stack: PartialStack,
  variant: PythonVariant,
  children: ChildProcess[],
): Promise<Target> {
  const spec = components(stack.ctx).find((s) => s.name === "neuroweaver")!;
  const port = await freePort();
  // Nothing OTEL_* or LOOKOUT_* from the caller's environment: each variant is exactly its own settings.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("OTEL_") && !key.startsWith("LOOKOUT_")),
  );
  const [command, ...args] = commandFor(variant, spec.command, spec.args);
  const child: ChildProcess = spawn(command!, args, {
    env: {
      ...inherited,
      ...spec.env,
      LOOKOUT_PORT_NEUROWEAVER: String(port),
      // The simulated model latency off: the figures are the service's own CPU and time.
      LOOKOUT_NEUROWEAVER_LATENCY_SCALE: "0",
      LOG_LEVEL: "warn",
      ...variantEnv(variant),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return variantTarget(stack, "neuroweaver", variant, child, port, children);
}

/** Starts the five NeuroWeavers and deploys the bench model (through the first: they share the database). */
export async function startNeuroWeavers(
  stack: PartialStack,
  variants: readonly Variant[],
  children: ChildProcess[],
): Promise<Record<Variant, Target>> {
  const targets = {} as Record<Variant, Target>;
  for (const variant of variants) targets[variant] = await startPythonService(stack, variant, children);
  await deployBenchModel(targets[variants[0]!].pool);
  return targets;
}

/**
 * Deploys the bench model once (a rollout fails its readiness gate one time in twenty: retried), so that every
 * inference finds an active deployment in Redis, as in production, rather than a database miss on each request.
 */
async function deployBenchModel(pool: Pool): Promise<void> {
  {
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await pool.request({
        path: "/v1/deployments",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: BENCH_MODEL, replicas: 1 }),
      });
      const body = (await response.body.json()) as { status?: string };
      if (response.statusCode === 201 && body.status === "success") return;
    }
    throw new Error(`could not deploy ${BENCH_MODEL}`);
  }
}
