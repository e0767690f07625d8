/**
 * The built-in synthetic flows as the native stack runs them: the real aggregator (its shipped lookout.yml) runs them
 * against the demo stand-ins (with their PostgreSQL and Redis), traced through the real collector into Jaeger. A
 * failing step reports expected and actual; a failed run's trace in Jaeger holds spans from every service the flow
 * touched; `lookout synthetics run` exits non-zero on failure; the synthetic user's password appears in no stored
 * result, no log line and no span in Jaeger. The flows' trace assertions run against the real trace in Jaeger: they
 * hold on a normal run, catch RelayCore's failover to its secondary provider (the primaryOutage fault) behind an HTTP
 * answer that passes, and with Jaeger stopped the run's trace is "unavailable" — neither a pass nor a failure.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  setUpSuite,
  startPartialStack,
  type PartialStack,
  eventually,
  getJson,
  jaegerEndpoint,
  jaegerGet,
  LOOKOUT_BIN,
  requireTools,
} from "../../testkit/index.js";
import { request } from "undici";
import { REPO_ROOT } from "../../shared/index.js";
import {
  BUILTIN_FLOWS,
  createTracing,
  defineFlow,
  isHttpStep,
  jaegerTraceSource,
  runFlow,
  type RunResult,
} from "../../synthetics/index.js";

requireTools("collector", "jaeger", "redisServer", "postgresBin");

let stack: PartialStack;
const aggregator = (path: string) => `http://127.0.0.1:${stack.ctx.ports.AGGREGATOR}${path}`;
const admin = () => ({ authorization: `Bearer ${stack.ctx.secrets.admin_token.value}` });

interface StepView {
  name: string;
  status: string;
  attempts: number;
  cleanup?: boolean;
  failure?: { assertion: string; expected: string; actual: string };
}
interface RunView {
  flow: string;
  outcome: string;
  traceId: string;
  traceUrl?: string;
  durationMs: number;
  error?: string;
  steps: StepView[];
  trace?: RunResult["trace"] & { assertions: { name: string; status: string; spanUrl?: string }[] };
}

/** Trace ids of the runs this file started (scheduled runs may still be on their way to Jaeger). */
const started: string[] = [];

/** POSTs a run; a scheduled run of the same flow in progress (409) is waited out. */
async function runNow(flow: string): Promise<RunView> {
  for (;;) {
    const response = await request(aggregator(`/api/v1/synthetics/${flow}/runs`), {
      method: "POST",
      headers: admin(),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await response.body.text();
    if (response.statusCode === 409) {
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    expect(response.statusCode, text).toBe(201);
    const run = JSON.parse(text) as RunView;
    started.push(run.traceId);
    return run;
  }
}

async function setFaults(port: number, faults: object | undefined): Promise<void> {
  const response = await request(`http://127.0.0.1:${port}/admin/faults`, {
    method: faults ? "POST" : "DELETE",
    headers: { ...admin(), ...(faults ? { "content-type": "application/json" } : {}) },
    body: faults ? JSON.stringify(faults) : undefined,
  });
  expect(response.statusCode, await response.body.text()).toBe(200);
}

interface OtlpTrace {
  result?: {
    resourceSpans?: {
      resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
      scopeSpans?: {
        spans?: {
          name: string;
          attributes?: { key: string; value: { boolValue?: boolean; stringValue?: string } }[];
        }[];
      }[];
    }[];
  };
}

const traceOf = async (traceId: string) =>
  jaegerGet<OtlpTrace>(
    jaegerEndpoint(stack.ctx.ports.JAEGER_QUERY, stack.ctx.layout.secrets),
    `/api/v3/traces/${traceId}`,
  );

const servicesIn = (trace: OtlpTrace) =>
  new Set(
    (trace.result?.resourceSpans ?? []).map(
      (rs) => rs.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue,
    ),
  );

const spansOf = (trace: OtlpTrace) =>
  (trace.result?.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []));

setUpSuite(async () => {
  stack = await startPartialStack([
    "postgres",
    "redis",
    "jaeger",
    "collector",
    "neuroweaver",
    "relaycore",
    "automatrix",
    "health-aggregator",
  ]);
});

afterAll(async () => {
  await stack?.stop();
});

describe("built-in synthetic flows in the native stack", () => {
  it("are enabled on their schedules with trace links to the stack's Jaeger", async () => {
    const { status, body } = await getJson<{ flows: { name: string; schedule: string }[] }>(
      aggregator("/api/v1/synthetics"),
    );
    expect(status).toBe(200);
    expect(body.flows.map((f) => [f.name, f.schedule])).toEqual([
      ["automatrix-workflow", "*/2 * * * *"],
      ["relaycore-chat", "*/10 * * * * *"],
      ["neuroweaver-deploy", "*/5 * * * *"],
    ]);
  });

  it.each([["automatrix-workflow"], ["relaycore-chat"], ["neuroweaver-deploy"]])(
    "%s passes against the stand-ins",
    async (flow) => {
      const run = await runNow(flow);
      expect(run.outcome, JSON.stringify(run, null, 2)).toBe("success");
      expect(
        run.steps.every((s) => s.status === "passed"),
        JSON.stringify(run.steps),
      ).toBe(true);
      expect(run.traceUrl).toBe(`https://127.0.0.1:${stack.ctx.ports.JAEGER_QUERY}/trace/${run.traceId}`);
      // Every built-in flow asserts on its trace, read from the stack's Jaeger once the sampler kept it.
      const declared = BUILTIN_FLOWS.find((f) => f.name === flow)!.traceAssertions ?? [];
      expect(declared.length).toBeGreaterThan(0);
      expect(run.trace?.status, JSON.stringify(run.trace, null, 2)).toBe("passed");
      expect(run.trace?.assertions.map((a) => [a.name, a.status])).toEqual(declared.map((a) => [a.name, "passed"]));
      console.log(`${flow}: ${Math.round(run.durationMs)} ms, ${run.trace?.durationMs} ms of it waiting for the trace`);
    },
  );

  it("reports expected and actual when a step fails, and the failed run's trace holds every service it touched", async () => {
    // NeuroWeaver's runaway fault ignores max_tokens: answers come back cut off ("length").
    await setFaults(stack.ctx.ports.NEUROWEAVER, { runawayCost: true });
    let run: RunView;
    try {
      run = await runNow("automatrix-workflow");
    } finally {
      await setFaults(stack.ctx.ports.NEUROWEAVER, undefined);
    }
    expect(run.outcome).toBe("failure");
    const execute = run.steps.find((s) => s.name === "execute")!;
    expect(execute).toMatchObject({
      status: "failed",
      failure: { assertion: "notTruncated $.steps[0].finish_reason", expected: '"stop"', actual: '"length"' },
    });
    expect(run.steps.find((s) => s.name === "wait-for-completion")!.status).toBe("skipped");
    // The workflow it created was still removed, and the session closed.
    expect(run.steps.filter((s) => s.cleanup).map((s) => [s.name, s.status])).toEqual([
      ["delete-workflow", "passed"],
      ["sign-out", "passed"],
    ]);

    // Wait for every span asserted on below, not only for each service: the runner's root span ends last, so it can
    // reach the gateway after the tail sampler decided on the rest and land in Jaeger a batch later.
    const trace = await eventually(
      async () => {
        const { status, body } = await traceOf(run.traceId);
        if (status !== 200) return undefined;
        const services = servicesIn(body);
        const names = new Set(spansOf(body).map((s) => s.name));
        const complete =
          ["lookout-synthetics", "automatrix", "relaycore", "neuroweaver"].every((s) => services.has(s)) &&
          ["synthetic automatrix-workflow", "step sign-in", "step execute", "step delete-workflow"].every((n) =>
            names.has(n),
          );
        return complete ? body : undefined;
      },
      90_000,
      "the failed run's trace with its root and step spans and spans from AutoMatrix, RelayCore and NeuroWeaver",
    );
    const spans = spansOf(trace);
    const root = spans.find((s) => s.name === "synthetic automatrix-workflow");
    expect(root?.attributes?.find((a) => a.key === "synthetic")?.value.boolValue).toBe(true);
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(["step sign-in", "step execute", "step delete-workflow"]),
    );
  });

  it("lookout synthetics run prints the result and exits non-zero when the flow fails", () => {
    const env = {
      ...process.env,
      LOOKOUT_ADMIN_TOKEN: stack.ctx.secrets.admin_token.value,
      LOOKOUT_PORT_AGGREGATOR: String(stack.ctx.ports.AGGREGATOR),
    };
    const cli = (flow: string) =>
      spawnSync(process.execPath, [LOOKOUT_BIN, "synthetics", "run", flow], {
        cwd: REPO_ROOT,
        env,
        encoding: "utf8",
        timeout: 120_000,
      });
    const ok = cli("relaycore-chat");
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("relaycore-chat: SUCCESS");
    // A failover to the secondary provider is a silent model change: the flow catches it.
    const outage = spawnSync(
      "curl",
      [
        "-sf",
        "-X",
        "POST",
        "-H",
        `Authorization: Bearer ${env.LOOKOUT_ADMIN_TOKEN}`,
        "-H",
        "content-type: application/json",
        "-d",
        '{"primaryOutage": true}',
        `http://127.0.0.1:${stack.ctx.ports.RELAYCORE}/admin/faults`,
      ],
      { encoding: "utf8" },
    );
    expect(outage.status).toBe(0);
    try {
      const failed = cli("relaycore-chat");
      expect(failed.status, failed.stdout + failed.stderr).toBe(1);
      expect(failed.stdout, failed.stderr).toContain("relaycore-chat: FAILURE");
      expect(failed.stdout).toContain('expected: "nw-llama-3-8b"');
      expect(failed.stdout).toContain('actual:   "external-large"');
      // A run that already failed on its steps reports at once, without waiting for its trace.
      expect(failed.stdout).not.toContain("trace assertions:");
    } finally {
      spawnSync("curl", [
        "-sf",
        "-X",
        "DELETE",
        "-H",
        `Authorization: Bearer ${env.LOOKOUT_ADMIN_TOKEN}`,
        `http://127.0.0.1:${stack.ctx.ports.RELAYCORE}/admin/faults`,
      ]);
    }
  });

  it("keeps the synthetic user's password out of stored results, every log and every span in Jaeger", async () => {
    const password = stack.ctx.secrets.synthetic_password.value;
    const runs: RunView[] = [];
    for (const flow of ["automatrix-workflow", "relaycore-chat", "neuroweaver-deploy"]) {
      const { body } = await getJson<{ runs: RunView[] }>(aggregator(`/api/v1/synthetics/${flow}/runs?limit=200`));
      runs.push(...body.runs);
    }
    expect(runs.filter((r) => r.flow === "automatrix-workflow").length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(runs)).not.toContain(password);
    for (const component of ["health-aggregator", "automatrix", "relaycore", "neuroweaver", "collector"])
      expect(stack.log(component), `${component} log`).not.toContain(password);
    const page = await request(aggregator("/status"));
    expect(await page.body.text()).not.toContain(password);
    // Every AutoMatrix run's trace Jaeger holds; those this file started must all be there.
    let checked = 0;
    for (const run of runs.filter((r) => r.flow === "automatrix-workflow")) {
      const mine = started.includes(run.traceId);
      const trace = mine
        ? await eventually(
            async () => {
              const { status, body } = await traceOf(run.traceId);
              return status === 200 && servicesIn(body).has("automatrix") ? body : undefined;
            },
            90_000,
            `trace ${run.traceId} in Jaeger`,
          )
        : (await traceOf(run.traceId)).body;
      expect(JSON.stringify(trace)).not.toContain(password);
      if (mine) checked++;
    }
    expect(checked).toBe(2);
  });

  it("catches a failover that the HTTP answer hides: the trace assertion fails naming the fallback span", async () => {
    // The chat flow with only the checks a generic HTTP monitor makes of an answer (status, shape, tokens, cost, not
    // cut off): the failover fields (model, provider, reason) left out, so the HTTP part passes during the outage.
    const chat = BUILTIN_FLOWS.find((f) => f.name === "relaycore-chat")!;
    const blind = new Set(["model", "jsonPath"]);
    const flow = defineFlow({
      ...chat,
      steps: chat.steps.map((step) =>
        isHttpStep(step) ? { ...step, assert: (step.assert ?? []).filter((a) => !blind.has(a.kind)) } : step,
      ),
    });
    const tracing = createTracing({
      endpoint: `http://127.0.0.1:${stack.ctx.ports.OTLP_GRPC}`,
      token: stack.ctx.secrets.otlp_token.value,
    });
    const jaeger = jaegerEndpoint(stack.ctx.ports.JAEGER_QUERY, stack.ctx.layout.secrets);
    await setFaults(stack.ctx.ports.RELAYCORE, { primaryOutage: true });
    let run: RunResult;
    try {
      run = await runFlow(flow, {
        tracer: tracing.tracer,
        urls: { relaycore: `http://127.0.0.1:${stack.ctx.ports.RELAYCORE}` },
        traces: {
          source: jaegerTraceSource({ url: jaeger.url, dispatcher: jaeger.dispatcher }),
          flush: () => tracing.flush(),
        },
      });
    } finally {
      await setFaults(stack.ctx.ports.RELAYCORE, undefined);
      await tracing.shutdown();
    }
    expect(
      run.steps.map((s) => [s.name, s.status]),
      JSON.stringify(run.steps),
    ).toEqual([
      ["route-chat", "passed"],
      ["check-budget", "passed"],
    ]);
    expect(run.outcome).toBe("failure");
    expect(run.trace?.status, JSON.stringify(run.trace, null, 2)).toBe("failed");
    const byName = new Map(run.trace!.assertions.map((a) => [a.name, a]));
    expect(byName.get("no-failover")).toMatchObject({
      status: "failed",
      check: "count",
      expected: "exactly 0 span(s)",
      actual: "1",
      service: "relaycore",
      spanName: "chat external-large",
    });
    expect(byName.get("no-failover")?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(byName.get("neuroweaver-called-once")).toMatchObject({ status: "failed", actual: "0" });
    expect(run.error).toContain('trace assertion "no-failover"');
  });

  it("with Jaeger stopped, a run's trace is unavailable: the run passes on its steps and says why", async () => {
    const state = JSON.parse(readFileSync(stack.ctx.layout.stateFile, "utf8")) as {
      components: { name: string; pid?: number }[];
    };
    const pid = state.components.find((c) => c.name === "jaeger")?.pid;
    expect(pid).toBeDefined();
    // Frozen, not killed: the supervisor would restart a dead Jaeger, and a frozen one answers nothing at all.
    process.kill(pid!, "SIGSTOP");
    let run: RunView;
    try {
      run = await runNow("relaycore-chat");
    } finally {
      process.kill(pid!, "SIGCONT");
    }
    expect(run.outcome, JSON.stringify(run, null, 2)).toBe("success");
    expect(run.trace).toMatchObject({ status: "unavailable" });
    expect(run.trace?.reason).toMatch(/Jaeger at https:\/\/127\.0\.0\.1:\d+ could not be read|was not in Jaeger/);
    expect(run.trace?.assertions.every((a) => a.status === "unavailable")).toBe(true);
    const metrics = await request(aggregator("/metrics"), {
      headers: { authorization: `Bearer ${stack.ctx.secrets.metrics_token.value}` },
    });
    expect(await metrics.body.text()).toMatch(
      /^lookout_synthetic_trace_unavailable_total\{flow="relaycore-chat"\} [1-9]/m,
    );
  });
});
