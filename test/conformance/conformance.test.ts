/**
 * One contract, two libraries: the same checks against a Node service instrumented by @lookout/instrumentation
 * (fixtures/node_service.mjs) and a Python one instrumented by lookout-instrumentation (fixtures/python_service.py),
 * both exporting to the real gateway, Jaeger and Prometheus. Every metric of instrumentation/contract.json with its
 * type, help, labels and buckets; promtool; /health against the contract's schema; 401 without the token; the AI
 * span's attributes as the gateway's span metrics and cost pipeline read them — and the two expositions compared
 * family by family, so a drift between the libraries fails here even where both happen to pass the contract.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { CONTRACT } from "@lookout/instrumentation";
import { pythonPath } from "../../stack/index.js";
import { REPO_ROOT } from "../../shared/index.js";
import { type CollectorStack, attrMap, jaegerTrace, promSum, startCollectorStack } from "../collector/harness.js";
import {
  setUpSuite,
  eventually,
  getJson,
  jaegerTraceIds,
  requireTools,
  spawnOnFreePort,
  terminate,
} from "../../testkit/index.js";
import { bucketBounds, type Family, labelNames, parseExposition } from "./exposition.js";

const tools = requireTools("collector", "jaeger", "prometheus", "promtool", "python");
const METRICS_TOKEN = "conformance-metrics-token-0123456789";
const LANGUAGES = ["node", "python"] as const;
type Language = (typeof LANGUAGES)[number];

interface Service {
  name: string;
  port: number;
  child: ChildProcess;
  exposition: string;
  families: Map<string, Family>;
}

let stack: CollectorStack;
const services = {} as Record<Language, Service>;

const get = (service: Service, path: string, headers: Record<string, string> = {}) =>
  getJson<Record<string, unknown>>(`http://127.0.0.1:${service.port}${path}`, headers);
const authorized = { authorization: `Bearer ${METRICS_TOKEN}` };

async function startService(language: Language): Promise<Service> {
  const name = `conformance-${language}`;
  const fixtures = join(REPO_ROOT, "test", "conformance", "fixtures");
  const [command, args] =
    language === "node"
      ? [process.execPath, [join(fixtures, "node_service.mjs")]]
      : [tools.python, [join(fixtures, "python_service.py")]];
  const { child, port } = await spawnOnFreePort(
    command,
    () => args,
    "/health",
    60_000,
    (p) => ({
      ...process.env,
      PORT: String(p),
      PYTHONPATH: pythonPath(),
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${stack.ports.OTLP_GRPC}`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${stack.token}`,
      OTEL_BSP_SCHEDULE_DELAY: "500",
      LOOKOUT_METRICS_TOKEN: METRICS_TOKEN,
      LOOKOUT_USER_ID_HASH_KEY: stack.hashKey,
    }),
  );
  return { name, port, child, exposition: "", families: new Map() };
}

setUpSuite(async () => {
  stack = await startCollectorStack({
    collectorEnv: {
      LOOKOUT_SAMPLING_BASELINE_PERCENT: "100",
      LOOKOUT_SAMPLING_DECISION_WAIT: "2s",
      LOOKOUT_SPAN_METRICS_FLUSH_INTERVAL: "2s",
    },
  });
  for (const language of LANGUAGES) {
    const service = (services[language] = await startService(language));
    // Traffic every contract metric needs a sample from: a route with a parameter, an unmatched path, an AI call.
    for (const path of ["/items/12345", "/items/67890", "/no/such/path"]) await get(service, path);
    const ai = await fetch(`http://127.0.0.1:${service.port}/ai`, { method: "POST" });
    expect(ai.status, `${language}: POST /ai`).toBe(200);
    const answer = await get(service, "/metrics", authorized);
    service.exposition = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    service.families = parseExposition(service.exposition);
  }
}, 600_000);

afterAll(async () => {
  for (const service of Object.values(services)) await terminate(service.child);
  await stack?.stop();
});

describe.each(LANGUAGES)("the %s library", (language) => {
  const service = () => services[language];

  it("exposes every contract metric with its type, help, labels and buckets", () => {
    for (const spec of CONTRACT.metrics) {
      const family = service().families.get(spec.name);
      expect(family, `${language}: ${spec.name} missing`).toBeDefined();
      expect(family!.type, `${language}: ${spec.name} type`).toBe(spec.type);
      expect(family!.help, `${language}: ${spec.name} help`).toBe(spec.help);
      expect(family!.samples.length, `${language}: ${spec.name} has no sample after the traffic`).toBeGreaterThan(0);
      expect(labelNames(family!), `${language}: ${spec.name} labels`).toEqual([...spec.labels].sort());
      if (spec.buckets) expect(bucketBounds(family!)).toEqual([...spec.buckets, Infinity]);
    }
  });

  it("labels requests by route template, unmatched paths as such, and only with bounded values", () => {
    const requests = service().families.get("http_requests_total")!.samples;
    const routes = new Set(requests.map((s) => s.labels.route));
    expect([...routes].some((r) => r?.startsWith("/items/") && !r.includes("12345"))).toBe(true);
    expect(routes).toContain(CONTRACT.unmatchedRoute);
    for (const route of routes) expect(route).not.toMatch(/12345|67890|no\/such/);
    for (const sample of requests) expect(CONTRACT.labelValues.method).toContain(sample.labels.method);
    for (const sample of service().families.get("ai_requests_total")!.samples) {
      expect(CONTRACT.labelValues.outcome).toContain(sample.labels.outcome);
    }
  });

  it("passes promtool check metrics", () => {
    const check = spawnSync(tools.promtool, ["check", "metrics"], { input: service().exposition, encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`.trim(), `${language}: promtool check metrics`).toBe("");
    expect(check.status).toBe(0);
  });

  it("answers 401 on /metrics without the token or with a wrong one", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong-token-wrong-token" },
      { authorization: "Basic eA==" },
    ]) {
      const answer = await get(service(), "/metrics", headers);
      expect(answer.status).toBe(CONTRACT.auth.unauthorizedStatus);
      expect(answer.body).toMatchObject({ error: "unauthorized" });
    }
    const response = await fetch(`http://127.0.0.1:${service().port}/metrics`);
    expect(response.headers.get("www-authenticate")).toBe(CONTRACT.auth.wwwAuthenticate);
  });

  it("answers /health in the HealthCheckResponse shape", async () => {
    const validate = new Ajv2020({ strict: true, validateFormats: false }).compile(CONTRACT.health.schema);
    const answer = await get(service(), "/health");
    expect(validate(answer.body), JSON.stringify(validate.errors)).toBe(true);
    const body = answer.body as { status: string; timestamp: string; dependencies: Record<string, unknown> };
    expect(answer.status).toBe(CONTRACT.health.httpStatus[body.status]);
    expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);
    expect(Object.keys(body.dependencies)).toEqual(["database"]);
  });

  it("sends the AI span with the attributes and types the gateway's cost pipeline reads", async () => {
    const { name } = service();
    const span = await eventually(
      async () => {
        for (const id of await jaegerTraceIds(stack.jaegerApi, name)) {
          const found = (await jaegerTrace(stack.jaegerApi, id)).find((s) =>
            (s.span.attributes ?? []).some((a) => a.key === CONTRACT.aiSpan.attributes.cost.name),
          );
          if (found) return found;
        }
        return undefined;
      },
      60_000,
      `${name}'s AI span in Jaeger`,
    );
    const resource = attrMap(span.resource?.attributes);
    expect(resource["telemetry.sdk.language"]).toBe(language === "node" ? "nodejs" : "python");
    const typed = Object.fromEntries((span.span.attributes ?? []).map((a) => [a.key, a.value]));
    const kind = { string: "stringValue", int: "intValue", double: "doubleValue" } as const;
    for (const attribute of Object.values(CONTRACT.aiSpan.attributes)) {
      expect(typed[attribute.name], `${language}: ${attribute.name}`).toHaveProperty(kind[attribute.type]);
    }
    const values = attrMap(span.span.attributes);
    expect(values).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "conformance",
      "gen_ai.request.model": "conformance-model",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 48,
      "gen_ai.usage.cost": 0.0123,
      "workflow.id": "wf-conformance",
    });
    // The library sends a keyed hash (never the e-mail); the gateway hashes user ids again with the same key.
    const hmac = (value: string) => createHmac("sha256", stack.hashKey).update(value).digest("hex");
    expect(values["user.id"]).toBe(hmac(hmac("alice@example.com").slice(0, CONTRACT.aiSpan.userIdHash.hexChars)));
    const cost = await eventually(
      async () => (await promSum(stack.prom, `lookout_ai_cost_dollars_total{service_name="${name}"}`)) || undefined,
      60_000,
      `the gateway's AI cost total for ${name}`,
    );
    expect(cost).toBeCloseTo(0.0123, 6);
  });
});

describe("the two libraries", () => {
  it("expose the same families, labels and buckets for everything the contract names", () => {
    for (const spec of CONTRACT.metrics) {
      const [node, python] = LANGUAGES.map((l) => services[l].families.get(spec.name));
      expect({ type: python?.type, help: python?.help, labels: python && labelNames(python) }, spec.name).toEqual({
        type: node?.type,
        help: node?.help,
        labels: node && labelNames(node),
      });
      if (spec.type === "histogram") expect(bucketBounds(python!)).toEqual(bucketBounds(node!));
    }
  });

  it("expose nothing under a contract name that the contract does not define", () => {
    const contractNames = new Set(CONTRACT.metrics.map((m) => m.name));
    const prefixes = ["http_", "ai_", "workflow_", "model_", "user_", "database_", "redis_"];
    for (const language of LANGUAGES) {
      const extra = [...services[language].families.keys()].filter(
        (name) => prefixes.some((p) => name.startsWith(p)) && !contractNames.has(name),
      );
      expect(extra, `${language}: families outside the contract`).toEqual([]);
    }
  });
});
