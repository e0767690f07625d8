/**
 * The demo services as `npm start` runs them (their component specs, the real Supervisor, the stack's PostgreSQL,
 * Redis, collector and Jaeger): contract metrics and their protection, one trace across all three services in
 * Jaeger, every fault knob and its reset, and no personal data from the load generator in any log line.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import {
  setUpSuite,
  startPartialStack,
  type PartialStack,
  eventually,
  jaegerEndpoint,
  jaegerGet,
  requireTools,
} from "../../testkit/index.js";
import { request } from "undici";
import { LoadGenerator, seeded, costUsd, model } from "../../demo/index.js";

const tools = requireTools("collector", "jaeger", "promtool", "redisServer", "postgresBin");

// Typed stand-ins for vitest's asymmetric matchers (which are typed `any`).
const anyNumber = expect.any(Number) as unknown;
const matching = (pattern: RegExp) => expect.stringMatching(pattern) as unknown;

const SERVICES = ["automatrix", "relaycore", "neuroweaver"] as const;
type Service = (typeof SERVICES)[number];

let stack: PartialStack;
const url = (service: Service, path: string) => {
  const port = {
    automatrix: stack.ctx.ports.AUTOMATRIX,
    relaycore: stack.ctx.ports.RELAYCORE,
    neuroweaver: stack.ctx.ports.NEUROWEAVER,
  }[service];
  return `http://127.0.0.1:${port}${path}`;
};
const adminHeaders = () => ({ authorization: `Bearer ${stack.ctx.secrets.admin_token.value}` });
const metricsHeaders = () => ({ authorization: `Bearer ${stack.ctx.secrets.metrics_token.value}` });

async function call(
  method: "GET" | "POST" | "DELETE",
  target: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await request(target, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON (the metrics exposition) */
  }
  return { status: response.statusCode, body: parsed, text };
}

const setFaults = async (service: Service, faults: object) => {
  const answer = await call("POST", url(service, "/admin/faults"), faults, adminHeaders());
  expect(answer.status, answer.text).toBe(200);
};
const resetFaults = async (service: Service) => {
  const answer = await call("DELETE", url(service, "/admin/faults"), undefined, adminHeaders());
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({
    latencyMs: 0,
    errorRate: 0,
    down: false,
    failDependency: null,
    primaryOutage: false,
    runawayCost: false,
  });
};

async function createWorkflow(template = "invoice-processing"): Promise<string> {
  const answer = await call("POST", url("automatrix", "/api/v1/workflows"), { name: "test run", template });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.id as string;
}

setUpSuite(async () => {
  // The sampler must see the test's synthetic root span before it decides: the root is sent when the request has
  // answered (a workflow with two AI steps can take seconds), while the services export their spans every second.
  // 15 s covers that with room to spare on a loaded machine; a shorter wait made the decision on the services' spans
  // alone, and then only the 10% baseline kept the trace.
  process.env.LOOKOUT_SAMPLING_DECISION_WAIT = "15s";
  stack = await startPartialStack([
    "postgres",
    "redis",
    "jaeger",
    "collector",
    "neuroweaver",
    "relaycore",
    "automatrix",
  ]);
});

afterAll(async () => {
  await stack?.stop();
});

describe("metrics", () => {
  it.each(SERVICES)("%s refuses /metrics without the token", async (service) => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-token-0123456789" },
      { authorization: stack.ctx.secrets.metrics_token.value },
    ];
    for (const headers of attempts) {
      const answer = await call("GET", url(service, "/metrics"), undefined, headers);
      expect(answer.status).toBe(401);
      expect(answer.text).not.toContain("http_requests_total");
    }
  });

  it("exposes the contract's names, types and labels, and promtool finds nothing to report", async () => {
    const id = await createWorkflow();
    expect((await call("POST", url("automatrix", `/api/v1/workflows/${id}/execute`), { input: {} })).status).toBe(200);
    expect((await call("GET", url("automatrix", `/api/v1/workflows/${id}`))).status).toBe(200);
    expect((await call("GET", url("automatrix", `/no/such/${id}`))).status).toBe(404);
    expect((await call("POST", url("neuroweaver", "/v1/deployments"), { model: "nw-llama-3-8b" })).status).toBe(201);
    const session = await call("POST", url("automatrix", "/api/v1/sessions"), {
      email: "a@example.com",
      password: "x",
    });
    expect(session.status).toBe(201);

    const expected: Record<string, string> = {
      http_requests_total: "counter",
      http_request_duration_seconds: "histogram",
      http_requests_in_flight: "gauge",
      ai_requests_total: "counter",
      ai_request_cost_dollars: "histogram",
      ai_model_selection_total: "counter",
      ai_response_tokens: "histogram",
      process_cpu_usage: "gauge",
      process_memory_usage: "gauge",
      database_connections_active: "gauge",
      redis_connections_active: "gauge",
      workflow_executions_total: "counter",
      model_deployments_total: "counter",
      user_sessions_active: "gauge",
    };
    const expositions: Record<string, string> = {};
    for (const service of SERVICES) {
      const answer = await call("GET", url(service, "/metrics"), undefined, metricsHeaders());
      expect(answer.status).toBe(200);
      expositions[service] = answer.text;
      const types: Record<string, string> = Object.fromEntries(
        [...answer.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
      );
      // prom-client declares counters without the _total suffix in # TYPE; the samples carry it.
      for (const [name, type] of Object.entries(expected)) {
        expect(types[name.replace(/_total$/, "")] ?? types[name], `${service}: ${name}`).toBe(type);
      }
      const check = spawnSync(tools.promtool, ["check", "metrics"], { input: answer.text, encoding: "utf8" });
      expect(`${check.stdout}${check.stderr}`.trim(), `${service}: promtool check metrics`).toBe("");
      expect(check.status).toBe(0);
    }

    const samples = (text: string, name: string): Record<string, string>[] =>
      [...text.matchAll(new RegExp(`^${name}\\{(.*)\\} (\\S+)$`, "gm"))].map((m) =>
        Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!])),
      );
    const am = expositions.automatrix!;
    const routes = samples(am, "http_requests_total").map((l) => l.route);
    // FastAPI's route templates (AutoMatrix is Python), never the raw path with its id.
    expect(routes).toContain("/api/v1/workflows/{id}");
    expect(routes).toContain("/api/v1/workflows/{id}/execute");
    expect(routes).toContain("unmatched");
    expect(routes.filter((r) => r?.includes(id))).toEqual([]); // the template, never the raw path
    for (const labels of samples(am, "http_requests_total"))
      expect(Object.keys(labels).sort()).toEqual(["method", "route", "status_code"]);
    expect(samples(am, "workflow_executions_total")).toContainEqual({
      workflow: "invoice-processing",
      status: "success",
    });
    expect(am).toMatch(/^user_sessions_active [1-9]/m);
    const rc = expositions.relaycore!;
    for (const labels of samples(rc, "ai_requests_total"))
      expect(Object.keys(labels).sort()).toEqual(["model", "outcome", "provider"]);
    expect(samples(rc, "ai_requests_total")).toContainEqual({
      model: "nw-mixtral-8x7b",
      provider: "neuroweaver",
      outcome: "success",
    });
    expect(samples(rc, "ai_model_selection_total")).toContainEqual({
      model: "nw-mixtral-8x7b",
      provider: "neuroweaver",
      reason: "capability",
    });
    expect(rc).toMatch(/^ai_request_cost_dollars_sum\{model="nw-mixtral-8x7b",provider="neuroweaver"\} 0\.\d+/m);
    expect(rc).toMatch(/^redis_connections_active 1$/m);
    expect(samples(expositions.neuroweaver!, "model_deployments_total").map((l) => l.model)).toContain("nw-llama-3-8b");
  });
});

describe("/health", () => {
  it.each(SERVICES)("%s answers in the HealthCheckResponse shape", async (service) => {
    const answer = await call("GET", url(service, "/health"));
    expect(answer.status).toBe(200);
    const deps = {
      automatrix: ["database", "redis", "relaycore"],
      relaycore: ["database", "redis", "neuroweaver"],
      neuroweaver: ["database", "redis"],
    }[service];
    expect(answer.body).toMatchObject({
      status: "healthy",
      timestamp: matching(/^\d{4}-\d\d-\d\dT/),
      uptime: anyNumber,
      version: "0.1.0",
      metrics: {
        requestsPerMinute: anyNumber,
        errorRate: anyNumber,
        avgResponseTime: anyNumber,
      },
    });
    expect(Object.keys(answer.body.dependencies as object).sort()).toEqual(deps.sort());
    for (const dep of Object.values(answer.body.dependencies as Record<string, unknown>)) {
      expect(dep).toEqual({ status: "healthy", responseTime: anyNumber });
    }
  });
});

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number | string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

describe("tracing", () => {
  it("turns one request to AutoMatrix into one trace with correctly parented spans from all three services", async () => {
    const id = await createWorkflow("invoice-processing");
    // The test is the root of the trace: a span marked synthetic=true, which the tail sampler always keeps.
    const traceId = randomBytes(16).toString("hex");
    const rootId = randomBytes(8).toString("hex");
    const start = BigInt(Date.now()) * 1_000_000n;
    const answer = await call(
      "POST",
      url("automatrix", `/api/v1/workflows/${id}/execute`),
      { input: { note: "trace test" } },
      { traceparent: `00-${traceId}-${rootId}-01` },
    );
    expect(answer.status, answer.text).toBe(200);
    const root = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "lookout-demo-test" } }] },
          scopeSpans: [
            {
              scope: { name: "demo.test" },
              spans: [
                {
                  traceId,
                  spanId: rootId,
                  name: "synthetic demo-trace",
                  kind: 1,
                  startTimeUnixNano: String(start),
                  endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  attributes: [{ key: "synthetic", value: { boolValue: true } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const sent = await call("POST", `http://127.0.0.1:${stack.ctx.ports.OTLP_HTTP}/v1/traces`, root, {
      authorization: `Bearer ${stack.ctx.secrets.otlp_token.value}`,
    });
    expect(sent.status, sent.text).toBe(200);

    const languages = new Map<string, string>();
    const spansByService = await eventually(
      async () => {
        const { status, body } = await jaegerGet<{
          result?: {
            resourceSpans?: {
              resource?: { attributes?: OtlpSpan["attributes"] };
              scopeSpans?: { spans?: OtlpSpan[] }[];
            }[];
          };
        }>(jaegerEndpoint(stack.ctx.ports.JAEGER_QUERY, stack.ctx.layout.secrets), `/api/v3/traces/${traceId}`);
        if (status !== 200) return undefined;
        const byService = new Map<string, OtlpSpan[]>();
        for (const rs of body.result?.resourceSpans ?? []) {
          const service = String(rs.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue);
          const sdk = rs.resource?.attributes?.find((a) => a.key === "telemetry.sdk.language")?.value.stringValue;
          languages.set(service, String(sdk));
          for (const ss of rs.scopeSpans ?? [])
            byService.set(service, [...(byService.get(service) ?? []), ...(ss.spans ?? [])]);
        }
        // Two AI steps: two RelayCore requests, each with a NeuroWeaver call, all exported. And the trace whole: the
        // root and every span's parent arrived. Spans exported in a later batch than the rest reach the gateway after
        // its tail sampler decided and land in Jaeger a little later, so a trace is first seen in part.
        const nwServer = (byService.get("neuroweaver") ?? []).filter((s) => /SERVER|^2$/.test(String(s.kind)));
        const spans = [...byService.values()].flat();
        const ids = new Set(spans.map((s) => s.spanId.toLowerCase()));
        const whole =
          ids.has(rootId) &&
          spans.every((s) => s.spanId.toLowerCase() === rootId || ids.has((s.parentSpanId ?? "").toLowerCase()));
        return whole && byService.has("automatrix") && byService.has("relaycore") && nwServer.length >= 2
          ? byService
          : undefined;
      },
      90_000,
      "the whole trace, with spans from AutoMatrix, RelayCore and NeuroWeaver, in Jaeger",
    );
    const all = [...spansByService.values()].flat();
    expect(new Set(all.map((s) => s.traceId.toLowerCase()))).toEqual(new Set([traceId]));
    // Python → Node → Python, as in production: each service's own SDK made its spans.
    expect(Object.fromEntries(languages)).toMatchObject({
      automatrix: "python",
      relaycore: "nodejs",
      neuroweaver: "python",
    });
    const byId = new Map(all.map((s) => [s.spanId.toLowerCase(), s]));
    const serviceOf = (span: OtlpSpan) => [...spansByService].find(([, spans]) => spans.includes(span))![0];
    const isServer = (span: OtlpSpan) => /SERVER|^2$/.test(String(span.kind));
    // Every span's parent is in the trace: nothing orphaned, nothing from another trace.
    for (const span of all) {
      if (span.spanId.toLowerCase() === rootId) continue;
      expect(byId.has((span.parentSpanId ?? "").toLowerCase()), `parent of ${serviceOf(span)} ${span.name}`).toBe(true);
    }
    const parentService = (span: OtlpSpan) => serviceOf(byId.get((span.parentSpanId ?? "").toLowerCase())!);
    const servers = (service: string) => (spansByService.get(service) ?? []).filter(isServer);
    expect(servers("automatrix").map((s) => s.parentSpanId?.toLowerCase())).toContain(rootId);
    expect(servers("relaycore").length).toBe(2);
    for (const span of servers("relaycore")) expect(parentService(span)).toBe("automatrix");
    for (const span of servers("neuroweaver")) expect(parentService(span)).toBe("relaycore");
    // Express names the route on RelayCore's server span, and adds no layer spans (instrumentation/src/tracing.ts).
    for (const span of servers("relaycore")) {
      expect(span.name).toBe("POST /v1/completions");
      expect(span.attributes?.find((a) => a.key === "http.route")?.value.stringValue).toBe("/v1/completions");
    }
    const expressLayers = all.filter((s) => s.attributes?.some((a) => a.key === "express.type"));
    expect(expressLayers.map((s) => s.name)).toEqual([]);
    // The AI call span carries the GenAI attributes, the cost and the workflow.
    const aiSpans = (spansByService.get("relaycore") ?? []).filter((s) =>
      s.attributes?.some((a) => a.key === "gen_ai.usage.cost"),
    );
    expect(aiSpans.length).toBe(2);
    const keys = aiSpans[0]!.attributes!.map((a) => a.key);
    for (const key of [
      "gen_ai.request.model",
      "gen_ai.provider.name",
      "gen_ai.usage.input_tokens",
      "gen_ai.usage.output_tokens",
      "gen_ai.operation.name",
      "workflow.id",
    ]) {
      expect(keys).toContain(key);
    }
    // Database and Redis calls made while serving are in the trace too.
    expect(all.some((s) => /^(SELECT|INSERT|pg\.query)/.test(s.name))).toBe(true);
  });
});

describe("fault injection", () => {
  it.each(SERVICES)("%s refuses /admin/faults without the admin token", async (service) => {
    expect((await call("POST", url(service, "/admin/faults"), { errorRate: 1 })).status).toBe(401);
    expect((await call("GET", url(service, "/admin/faults"), undefined, metricsHeaders())).status).toBe(401);
  });

  it("refuses an unknown or out-of-range knob, and one the service does not have", async () => {
    expect((await call("POST", url("neuroweaver", "/admin/faults"), { errorRate: 2 }, adminHeaders())).status).toBe(
      400,
    );
    expect((await call("POST", url("neuroweaver", "/admin/faults"), { meteor: true }, adminHeaders())).status).toBe(
      400,
    );
    expect(
      (await call("POST", url("automatrix", "/admin/faults"), { primaryOutage: true }, adminHeaders())).status,
    ).toBe(400);
    expect(
      (await call("POST", url("automatrix", "/admin/faults"), { failDependency: "mainframe" }, adminHeaders())).status,
    ).toBe(400);
  });

  it("latencyMs delays every API request by at least that much, and resets", async () => {
    await setFaults("neuroweaver", { latencyMs: 400 });
    const started = performance.now();
    expect((await call("GET", url("neuroweaver", "/v1/models"))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(400); // a lower bound the fault guarantees
    await resetFaults("neuroweaver");
  });

  it("errorRate 1 answers every API request with 500 (but not /health), and resets", async () => {
    await setFaults("neuroweaver", { errorRate: 1 });
    for (let i = 0; i < 3; i++) expect((await call("GET", url("neuroweaver", "/v1/models"))).status).toBe(500);
    expect((await call("GET", url("neuroweaver", "/health"))).status).toBe(200);
    await resetFaults("neuroweaver");
    expect((await call("GET", url("neuroweaver", "/v1/models"))).status).toBe(200);
  });

  it("down stops answering (API, /health and /metrics) until reset", async () => {
    await setFaults("neuroweaver", { down: true });
    for (const path of ["/v1/models", "/health", "/metrics"]) {
      await expect(call("GET", url("neuroweaver", path), undefined, {}, 1_000)).rejects.toThrow(/timeout/i);
    }
    // Settled at once into a value, so its rejection is handled while the reset is under way.
    const held = call("GET", url("neuroweaver", "/v1/models"), undefined, {}, 60_000).then(
      (answer) => answer.status,
      (error: Error) => error,
    );
    await resetFaults("neuroweaver");
    expect(await held).toBeInstanceOf(Error); // a request held while down is closed, not answered late
    expect((await call("GET", url("neuroweaver", "/v1/models"))).status).toBe(200);
  });

  it("failDependency fails the calls and the health check of that dependency, and resets", async () => {
    await setFaults("automatrix", { failDependency: "database" });
    expect((await call("GET", url("automatrix", "/api/v1/workflows"))).status).toBe(503);
    const unhealthy = await eventually(
      async () => {
        const answer = await call("GET", url("automatrix", "/health"));
        return answer.status === 503 ? answer.body : undefined;
      },
      30_000,
      "AutoMatrix /health reporting the database unhealthy",
    );
    expect(unhealthy).toMatchObject({ status: "unhealthy", dependencies: { database: { status: "unhealthy" } } });
    await resetFaults("automatrix");
    expect((await call("GET", url("automatrix", "/api/v1/workflows"))).status).toBe(200);
    await eventually(
      async () => ((await call("GET", url("automatrix", "/health"))).status === 200 ? true : undefined),
      30_000,
      "AutoMatrix healthy again",
    );
  });

  it("primaryOutage makes RelayCore fail over to the secondary provider, counted with reason=fallback, and resets", async () => {
    const prompt = { prompt: "Say hello.", task: "chat" };
    await setFaults("relaycore", { primaryOutage: true });
    const failover = await call("POST", url("relaycore", "/v1/completions"), prompt);
    expect(failover.status, failover.text).toBe(200);
    expect(failover.body).toMatchObject({ provider: "external", reason: "fallback" });
    const metrics = (await call("GET", url("relaycore", "/metrics"), undefined, metricsHeaders())).text;
    expect(metrics).toMatch(
      /^ai_model_selection_total\{model="external-large",provider="external",reason="fallback"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^ai_requests_total\{model="nw-llama-3-8b",provider="neuroweaver",outcome="error"\} [1-9]/m,
    );
    await resetFaults("relaycore");
    expect((await call("POST", url("relaycore", "/v1/completions"), prompt)).body).toMatchObject({
      provider: "neuroweaver",
    });
  });

  it("runawayCost bills RelayCore calls 25 times over and makes NeuroWeaver ignore max_tokens, and resets", async () => {
    const billed = async () => {
      const answer = await call("POST", url("relaycore", "/v1/completions"), {
        prompt: "Summarize this.",
        task: "summarize",
      });
      expect(answer.status, answer.text).toBe(200);
      const usage = answer.body.usage as { input_tokens: number; output_tokens: number };
      const list = costUsd(model(answer.body.model as string)!, usage.input_tokens, usage.output_tokens);
      return (answer.body.cost_usd as number) / list;
    };
    await setFaults("relaycore", { runawayCost: true });
    expect(await billed()).toBeCloseTo(25, 6);
    await resetFaults("relaycore");
    expect(await billed()).toBeCloseTo(1, 6);

    const inference = { model: "nw-llama-3-8b", prompt: "hi", max_tokens: 2 };
    await setFaults("neuroweaver", { runawayCost: true });
    const runaway = await call("POST", url("neuroweaver", "/v1/inference"), inference);
    expect((runaway.body.usage as { output_tokens: number }).output_tokens).toBeGreaterThan(2);
    await resetFaults("neuroweaver");
    const normal = await call("POST", url("neuroweaver", "/v1/inference"), inference);
    expect((normal.body.usage as { output_tokens: number }).output_tokens).toBeLessThanOrEqual(2);
  });
});

describe("load generator and logs", () => {
  it("sends personal data inside request fields, none of which appears in any service's log line", async () => {
    const generator = new LoadGenerator(
      { automatrixUrl: url("automatrix", ""), neuroweaverUrl: url("neuroweaver", "") },
      seeded(20261127),
    );
    // Half of RelayCore's answers fail meanwhile, so the services write warning and error lines too.
    await setFaults("relaycore", { errorRate: 0.5 });
    try {
      await generator.send(60);
    } finally {
      await resetFaults("relaycore");
    }
    expect(generator.stats.sent).toBe(60);
    expect(generator.stats.byKind.execute).toBeGreaterThan(0);
    expect(generator.piiSent.size).toBeGreaterThan(30);
    const kinds = [...generator.piiSent].map((v) =>
      v.includes("@")
        ? "email"
        : /^[\d -]{16,19}$/.test(v)
          ? "card"
          : /^(eyJ|sk_live_)/.test(v)
            ? "token"
            : /^pw-/.test(v)
              ? "password"
              : "phone",
    );
    expect(new Set(kinds)).toEqual(new Set(["email", "card", "token", "password", "phone"]));

    const lines = SERVICES.flatMap((service) => stack.log(service).split("\n"));
    expect(lines.filter((l) => l.includes("workflow step failed")).length).toBeGreaterThan(0);
    const leaks = lines.filter((line) => [...generator.piiSent].some((value) => line.includes(value)));
    expect(leaks).toEqual([]);
  });

  it("puts trace_id and span_id on every log line written inside a span", () => {
    const inSpan = SERVICES.flatMap((service) => stack.log(service).split("\n")).filter((l) =>
      l.includes("workflow step failed"),
    );
    expect(inSpan.length).toBeGreaterThan(0);
    for (const line of inSpan) {
      expect(JSON.parse(line) as object).toMatchObject({
        trace_id: matching(/^[0-9a-f]{32}$/),
        span_id: matching(/^[0-9a-f]{16}$/),
      });
    }
  });
});
