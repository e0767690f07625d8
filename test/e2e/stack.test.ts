/**
 * End-to-end: the native stack as `npm start` runs it, on free ports with a throwaway LOOKOUT_HOME. Starts it, checks
 * every component's readiness, sends a trace with telemetrygen (an independent OTLP client) and finds it in Jaeger,
 * sees every Prometheus scrape target up, stops it and checks no process is left — then starts it again to prove the
 * data survived.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  setUpSuite,
  freeStackPortEnv,
  releaseStackPortEnv,
  withPortRetry,
  eventually,
  getJson,
  jaegerEndpoint,
  jaegerGet,
  jaegerTraceIds,
  lookout,
  processesMentioning,
  requireTools,
  type RunningStack,
  startStack,
  runTelemetrygen,
} from "../../testkit/index.js";
import { request } from "undici";
import { readState, type Ports, resolvePorts, webAuthorization, PORT_SPECS } from "../../stack/index.js";
import { homeLayout } from "../../shared/index.js";
import { knock, PORT_WALK } from "./port-walk.js";

// Fails (never skips) naming the tool when one is missing.
requireTools("collector", "jaeger", "telemetrygen", "prometheus", "alertmanager", "redisServer", "nodeExporter");

describe("native stack end to end", () => {
  // Under /tmp (traversable), not the 0700 mkdtemp default: PostgreSQL runs as its own user when we are root.
  const home = mkdtempSync("/tmp/lookout-e2e-");
  chmodSync(home, 0o711);
  let env: NodeJS.ProcessEnv;
  let ports: Ports;
  let stack: RunningStack | undefined;
  const service = `lookout-e2e-${randomBytes(4).toString("hex")}`;
  let traceIds: string[] = [];

  let portEnv: Record<string, string> = {};
  /** What every `stack up` of this suite printed, retries included. */
  const outputs: string[] = [];

  /** Reserves a fresh set of ports for the stack (the home, and so its data, stays). */
  async function movePorts(): Promise<void> {
    releaseStackPortEnv(portEnv);
    portEnv = await freeStackPortEnv();
    ports = resolvePorts(portEnv);
    Object.assign(env, portEnv);
  }

  /** `lookout stack up`, again on new ports if one was taken meanwhile by something outside the test. */
  function start(): Promise<RunningStack> {
    return withPortRetry("lookout stack up", async (attempt) => {
      if (attempt > 1) await movePorts();
      try {
        const started = await startStack(env);
        outputs.push(started.output());
        return started;
      } catch (error) {
        outputs.push((error as Error).message);
        throw error;
      }
    });
  }

  setUpSuite(async () => {
    env = {
      ...process.env,
      LOOKOUT_HOME: home,
      // Decide sampling quickly so the test does not wait out the production decision_wait.
      LOOKOUT_SAMPLING_DECISION_WAIT: "2s",
    };
    delete env.LOOKOUT_OTLP_TOKEN;
    delete env.LOOKOUT_METRICS_TOKEN;
    await movePorts();
  });

  afterAll(async () => {
    if (stack && stack.child.exitCode === null) {
      stack.child.kill("SIGTERM");
      await stack.exited;
    }
    for (const p of processesMentioning(home)) process.kill(p.pid, "SIGKILL");
    rmSync(home, { recursive: true, force: true });
  });

  it("refuses to start when a port is taken, naming the port and the component", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(ports.PROMETHEUS, "127.0.0.1", () => r()));
    try {
      const result = lookout(["stack", "up", "--no-setup"], env);
      expect(result.status).toBe(1);
      expect(result.output).toContain(
        `port ${ports.PROMETHEUS} (prometheus: UI, API, remote-write receiver) is already in use`,
      );
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
    expect(processesMentioning(home)).toEqual([]);
  });

  it("starts every component and reports each ready", async () => {
    stack = await start();
    // The first start generates the tokens (a start retried on new ports may have done it).
    expect(outputs.join("\n")).toContain("generated LOOKOUT_OTLP_TOKEN");
    const status = lookout(["stack", "status"], env);
    expect(status.output).not.toMatch(/DOWN|no:/);
    expect(status.status).toBe(0);
    for (const name of [
      "postgres",
      "redis",
      "jaeger",
      "prometheus",
      "alertmanager",
      "collector",
      "node-exporter",
      "postgres-exporter",
      "redis-exporter",
      "health-aggregator",
      "neuroweaver",
      "relaycore",
      "automatrix",
      "loadgen",
    ]) {
      expect(status.output).toMatch(new RegExp(`^${name}\\s+\\d+\\s+running\\s+yes`, "m"));
    }
  });

  it("protects the aggregator's /metrics and OTLP ingress with the generated tokens", async () => {
    const metricsToken = readFileSync(join(home, "secrets", "metrics_token"), "utf8").trim();
    const denied = await request(`http://127.0.0.1:${ports.AGGREGATOR}/metrics`);
    await denied.body.dump();
    expect(denied.statusCode).toBe(401);
    const allowed = await getJson<string>(`http://127.0.0.1:${ports.AGGREGATOR}/metrics`, {
      authorization: `Bearer ${metricsToken}`,
    });
    expect(allowed.status).toBe(200);
    const otlp = await request(`http://127.0.0.1:${ports.OTLP_HTTP}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resourceSpans: [] }),
    });
    await otlp.body.dump();
    expect(otlp.statusCode).toBe(401);
  });

  it("walks every port of the README's table and is refused without credentials and with wrong ones", async () => {
    const open: string[] = [];
    const stillOpen: string[] = [];
    for (const spec of PORT_SPECS) {
      const walk = PORT_WALK[spec.key];
      expect(walk, `stack/ports.ts's ${spec.key} has no entry in test/e2e/port-walk.ts`).toBeDefined();
      for (const creds of ["none", "wrong"] as const) {
        const { refused, detail } = await knock(ports[spec.key], walk!.probe, creds);
        const line = `${spec.key} (${spec.component}, ${ports[spec.key]}) with ${creds} credentials: ${detail}`;
        if (walk!.knownOpen) {
          if (!refused) stillOpen.push(spec.key);
        } else if (!refused && !walk!.public) open.push(line);
      }
    }
    expect(open).toEqual([]);
    // The known gaps (port-walk.ts says why): each must still be open, or its entry is stale.
    const known = Object.entries(PORT_WALK)
      .filter(([, w]) => w.knownOpen)
      .map(([key]) => key);
    expect([...new Set(stillOpen)].sort()).toEqual(known.sort());
    // What stays open to anyone: health probes and the public status page.
    for (const path of ["/health", "/status", "/api/v1/status"]) {
      expect((await request(`http://127.0.0.1:${ports.AGGREGATOR}${path}`)).statusCode, path).toBe(200);
    }
  });

  it("carries a telemetrygen trace through the collector into Jaeger", async () => {
    const token = readFileSync(join(home, "secrets", "otlp_token"), "utf8").trim();
    const run = runTelemetrygen({
      port: ports.OTLP_GRPC,
      token,
      service,
      traces: 1,
      childSpans: 2,
      // An error trace: the sampler keeps every one, so the test does not depend on the 10% baseline.
      statusCode: "Error",
    });
    expect(run.status, run.stderr).toBe(0);
    traceIds = await eventually(
      async () => {
        const ids = await jaegerTraceIds(jaegerEndpoint(ports.JAEGER_QUERY, join(home, "secrets")), service);
        return ids.length > 0 ? ids : undefined;
      },
      90_000,
      `a trace of ${service} appearing in Jaeger`,
    );
    expect(traceIds).toHaveLength(1);
    const trace = await jaegerGet<{ result?: { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] } }>(
      jaegerEndpoint(ports.JAEGER_QUERY, join(home, "secrets")),
      `/api/v3/traces/${traceIds[0]}`,
    );
    expect(trace.status).toBe(200);
    const spans = (trace.body.result?.resourceSpans ?? []).flatMap((rs) =>
      (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []),
    );
    expect(spans).toHaveLength(3); // the root and its two children, none lost
  });

  it("sees every scrape target up in Prometheus", async () => {
    interface Targets {
      data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    }
    const expected = [
      "alertmanager",
      "automatrix",
      "health-aggregator",
      "neuroweaver",
      "node",
      "otel-collector",
      "postgres",
      "prometheus",
      "redis",
      "relaycore",
    ];
    const targets = await eventually(
      async () => {
        const { body } = await getJson<Targets>(`http://127.0.0.1:${ports.PROMETHEUS}/api/v1/targets?state=active`, {
          authorization: webAuthorization(readFileSync(join(home, "secrets", "web_password"), "utf8").trim()),
        });
        const active = body.data.activeTargets;
        const jobs = active.map((t) => t.labels.job).sort();
        return jobs.join() === expected.join() && active.every((t) => t.health === "up") ? active : undefined;
      },
      90_000,
      "every Prometheus target reporting up",
    );
    expect(targets.map((t) => [t.labels.job, t.health, t.lastError])).toEqual(expected.map((job) => [job, "up", ""]));
  });

  it("receives the collector's and Jaeger's own telemetry, pushed over OTLP with the token", async () => {
    const authorization = webAuthorization(readFileSync(join(home, "secrets", "web_password"), "utf8").trim());
    const count = async (query: string) => {
      const { body } = await getJson<{ data?: { result?: { value: [number, string] }[] } }>(
        `http://127.0.0.1:${ports.PROMETHEUS}/api/v1/query?${new URLSearchParams({ query }).toString()}`,
        { authorization },
      );
      return Number(body.data?.result?.[0]?.value[1] ?? 0);
    };
    // The gateway's, as its metrics/self pipeline serves them to the otel-collector scrape job (names unchanged).
    await eventually(
      async () => ((await count('count(otelcol_process_uptime{job="otel-collector"})')) > 0 ? true : undefined),
      60_000,
      "the collector's own telemetry scraped from its authenticated endpoint",
    );
    // Jaeger's, written by the gateway's metrics/jaeger pipeline (job "jaeger", from its service.name).
    await eventually(
      async () => ((await count('count({job="jaeger"})')) > 0 ? true : undefined),
      90_000,
      "Jaeger's own telemetry in Prometheus",
    );
  });

  it("reports a component that dies and restarts it", async () => {
    const before = readState(homeLayout(home))!.components.find((c) => c.name === "node-exporter")!;
    process.kill(before.pid!, "SIGKILL");
    await eventually(
      () => (stack!.output().includes("✗ node-exporter killed by SIGKILL") ? true : undefined),
      10_000,
      "the supervisor reporting the death",
    );
    const after = await eventually(
      () => {
        const c = readState(homeLayout(home))!.components.find((x) => x.name === "node-exporter")!;
        return c.pid !== before.pid && c.restarts === 1 ? c : undefined;
      },
      20_000,
      "node-exporter restarted",
    );
    expect(stack!.output()).toContain("restarting node-exporter in 1s (restart 1 of 5)");
    await eventually(
      () => (lookout(["stack", "status"], env).status === 0 ? true : undefined),
      20_000,
      "status all ready",
    );
    expect(existsSync(`/proc/${after.pid}`)).toBe(true);
  });

  it("stops everything on SIGTERM and leaves no process behind", async () => {
    const state = readState(homeLayout(home));
    expect(state?.components.length).toBe(14); // 10 of the stack, 3 demo services and the load generator
    stack!.child.kill("SIGTERM");
    expect(await stack!.exited).toBe(0);
    // Each component left on its own SIGTERM: none had to be killed after the grace period (Jaeger used to wait out
    // a 10 s export of its own traces, jaeger/config.yaml).
    expect(stack!.output()).not.toMatch(/did not stop within/);
    for (const c of state!.components)
      expect(existsSync(`/proc/${c.pid}`), `${c.name} (pid ${c.pid}) still runs`).toBe(false);
    expect(processesMentioning(home)).toEqual([]);
    expect(existsSync(homeLayout(home).stateFile)).toBe(false);
  });

  it("keeps its data across a restart", async () => {
    stack = await start();
    expect(stack.output()).not.toContain("generated LOOKOUT_OTLP_TOKEN"); // the stored tokens are reused
    const ids = await eventually(
      async () => {
        const found = await jaegerTraceIds(jaegerEndpoint(ports.JAEGER_QUERY, join(home, "secrets")), service);
        return found.length > 0 ? found : undefined;
      },
      60_000,
      "the earlier trace in Jaeger after a restart",
    );
    expect(ids).toEqual(traceIds);
    stack.child.kill("SIGTERM");
    expect(await stack.exited).toBe(0);
    expect(processesMentioning(home)).toEqual([]);
  });

  it("cleans up after a supervisor killed with -9", async () => {
    stack = await start();
    const pids = readState(homeLayout(home))!.components.map((c) => c.pid!);
    stack.child.kill("SIGKILL");
    await stack.exited;
    expect(pids.filter((pid) => existsSync(`/proc/${pid}`)).length).toBe(pids.length); // orphans, as expected
    const down = lookout(["stack", "down"], env);
    expect(down.status, down.output).toBe(0);
    expect(down.output).toContain("left by a previous stack that did not stop cleanly");
    expect(processesMentioning(home)).toEqual([]);
  });
});
