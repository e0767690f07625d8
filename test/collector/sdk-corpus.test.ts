/**
 * The redaction corpus from real SDKs: the stock OpenTelemetry Python SDK (fixtures/sdk_corpus.py: FastAPI under
 * uvicorn, httpx, asyncpg, redis) and JS SDK (fixtures/sdk-corpus.cjs: http, undici, pg, ioredis), as a new user runs
 * them, against real HTTP servers, the stack's PostgreSQL and Redis, exporting through the real gateway to real
 * Jaeger. No raw PII value may appear anywhere in Jaeger's JSON for those traces nor in any Prometheus label; URLs
 * still show scheme, host, port and path; arrays, numbers and bools keep their types.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { freePort, portRegistry, setUpSuite, eventually, jaegerTraceIds, requireTools } from "../../testkit/index.js";
import { REPO_ROOT } from "../../shared/index.js";
import {
  type CollectorStack,
  promAllLabelValues,
  promSum,
  type StoredResourceSpans,
  startCollectorStack,
} from "./harness.js";

/** What the clients put in URLs, headers, SQL, Redis commands, messages and attributes; none may be stored raw. */
const PII = {
  email: "jane.doe@example.com",
  user: "jane",
  password: "S3cr3tPw0rd",
  token: "tk9f8e7d6c5b4a3",
  bearer: "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
  cookie: "Zx9Yq8Wv7Ut6",
  api_key: "ak-55aa66bb77cc",
  client_ip: "203.0.113.77",
  coupon: "JANE10OFF",
  phone: "+44 20 7946 0958",
  ssn: "536-22-1234",
  iban: "DE89 3704 0044 0532 0130 00",
  iban_compact: "DE89370400440532013000",
  nino: "AB 12 34 56 C",
  card: "4111111111111111",
};
/** The values to look for (the user name "jane" is part of the e-mail address's masked text, so not on its own). */
const RAW = Object.entries(PII)
  .filter(([k]) => k !== "user")
  .flatMap(([, v]) => [v, encodeURIComponent(v)]);

const FIXTURES = join(REPO_ROOT, "test", "collector", "fixtures");
const tools = requireTools("collector", "jaeger", "prometheus", "postgresBin", "redisServer", "python");
const CLIENTS = {
  python: { command: tools.python, args: [join(FIXTURES, "sdk_corpus.py")] },
  node: { command: process.execPath, args: [join(FIXTURES, "sdk-corpus.cjs")] },
};
type Client = keyof typeof CLIENTS;

let stack: CollectorStack;
const tag = Math.random().toString(36).slice(2, 8);
const service = (client: Client) => `sdk-corpus-${client}-${tag}`;
/** Per client: the raw Jaeger JSON of its traces, and the resource spans parsed from it. */
const stored = {} as Record<Client, { json: string; resourceSpans: StoredResourceSpans[] }>;

/** Runs one client to completion; rejects with its output if it fails. */
async function runClient(client: Client): Promise<void> {
  const httpPort = await freePort();
  const { command, args } = CLIENTS[client];
  const child = spawn(command, args, {
    env: {
      ...process.env,
      CORPUS_PII: JSON.stringify(PII),
      HTTP_PORT: String(httpPort),
      PG_PORT: String(stack.ports.POSTGRES),
      PG_PASSWORD: stack.postgresPassword,
      REDIS_PORT: String(stack.ports.REDIS),
      REDIS_PASSWORD: stack.redisPassword,
      OTEL_SERVICE_NAME: service(client),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${stack.ports.OTLP_GRPC}`,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${stack.token}`,
      // Python: the stable HTTP and database conventions beside the old ones (url.full and http.url, db.query.text
      // and db.statement), and the headers a user would capture.
      OTEL_SEMCONV_STABILITY_OPT_IN: "http/dup,database/dup",
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_REQUEST:
        "authorization,cookie,x-api-key,x-forwarded-for,referer,x-customer-note",
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SERVER_RESPONSE: "set-cookie",
      OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST: "authorization,cookie,x-api-key,x-forwarded-for",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  portRegistry().release(httpPort);
  if (code !== 0) throw new Error(`${client} client exited ${code}:\n${output}`);
}

/** Jaeger's JSON of every trace of a service, once it holds the spans of every instrumentation the client ran. */
async function storedTraces(client: Client): Promise<{ json: string; resourceSpans: StoredResourceSpans[] }> {
  return eventually(
    async () => {
      const ids = await jaegerTraceIds(stack.jaegerApi, service(client));
      const texts: string[] = [];
      for (const id of ids) {
        const response = await request(`${stack.jaegerApi.url}/api/v3/traces/${id}`, {
          dispatcher: stack.jaegerApi.dispatcher,
        });
        texts.push(await response.body.text());
      }
      const resourceSpans = texts.flatMap(
        (t) => (JSON.parse(t) as { result?: { resourceSpans?: StoredResourceSpans[] } }).result?.resourceSpans ?? [],
      );
      const keys = new Set(spansOf(resourceSpans).flatMap((s) => (s.attributes ?? []).map((a) => a.key)));
      const names = spansOf(resourceSpans).map((s) => s.name);
      const complete =
        names.includes("sdk corpus") &&
        names.some((n) => n.startsWith("checkout for")) &&
        ["db.system", "db.system.name"].some((k) => keys.has(k)) &&
        spansOf(resourceSpans).filter((s) => attr(s, "db.system") === "redis" || attr(s, "db.system.name") === "redis")
          .length > 0 &&
        spansOf(resourceSpans).filter(
          (s) => (s as { kind?: unknown }).kind === 2 || String((s as { kind?: unknown }).kind) === "SPAN_KIND_SERVER",
        ).length >= 2;
      return complete ? { json: texts.join("\n"), resourceSpans } : undefined;
    },
    120_000,
    `the ${client} client's spans in Jaeger (HTTP server, PostgreSQL, Redis and the application span)`,
  );
}

function spansOf(resourceSpans: StoredResourceSpans[]) {
  return resourceSpans.flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []));
}

/** An attribute's OTLP/JSON value as stored, or undefined. */
function rawAttr(span: { attributes?: { key: string; value: Record<string, unknown> }[] }, key: string) {
  return span.attributes?.find((a) => a.key === key)?.value;
}
function attr(span: { attributes?: { key: string; value: Record<string, unknown> }[] }, key: string): unknown {
  const v = rawAttr(span, key);
  return v && "stringValue" in v ? v.stringValue : v;
}

setUpSuite(async () => {
  stack = await startCollectorStack({
    databases: true,
    collectorEnv: {
      LOOKOUT_SAMPLING_BASELINE_PERCENT: "100",
      LOOKOUT_SAMPLING_DECISION_WAIT: "2s",
      LOOKOUT_SPAN_METRICS_FLUSH_INTERVAL: "2s",
    },
  });
  for (const client of Object.keys(CLIENTS) as Client[]) {
    await runClient(client);
    stored[client] = await storedTraces(client);
  }
}, 600_000);

afterAll(async () => {
  await stack?.stop();
});

describe.each(Object.keys(CLIENTS) as Client[])("real %s SDK through the gateway", (client) => {
  it("leaves no raw PII anywhere in Jaeger's JSON", () => {
    const leaks = RAW.filter((v) => stored[client].json.includes(v));
    expect(leaks, "raw PII values found in Jaeger's JSON").toEqual([]);
  });

  it("keeps scheme, host, port and path of every URL and masks every query value", () => {
    const urls = spansOf(stored[client].resourceSpans).flatMap((s) =>
      ["url.full", "http.url"].map((k) => attr(s, k)).filter((v): v is string => typeof v === "string"),
    );
    expect(urls.length).toBeGreaterThanOrEqual(3);
    expect(urls).toContain("https://api.example.com:8443/login?token=****&page=****");
    for (const u of urls) {
      const parsed = new URL(u);
      expect(parsed.username + parsed.password, u).toBe("");
      expect(parsed.host, u).toMatch(/^(?:127\.0\.0\.1:\d+|api\.example\.com:8443)$/);
      expect(parsed.pathname, u).toMatch(/^\/(?:api\/(?:login|fail)|login)$/);
      for (const [name, value] of parsed.searchParams) expect(value, `${u}: ${name}`).toBe("****");
    }
    const queries = spansOf(stored[client].resourceSpans)
      .map((s) => attr(s, "url.query"))
      .filter((v): v is string => typeof v === "string");
    expect(queries).toContain("token=****&page=****");
    // OpenTelemetry JS's undici instrumentation writes url.query with its "?" (the convention has none).
    for (const q of queries) expect(q).toMatch(/^\??[a-z_]+=\*{4}(?:&[a-z_]+=\*{4})*$/);
  });

  it("keeps arrays, numbers and bools as they came", () => {
    const checkout = spansOf(stored[client].resourceSpans).find((s) => s.name.startsWith("checkout for"))!;
    expect(checkout.name).toBe("checkout for ****");
    expect(rawAttr(checkout, "app.retry_count")).toEqual({ intValue: "3" });
    expect(rawAttr(checkout, "app.sandbox")).toEqual({ boolValue: true });
    expect(rawAttr(checkout, "app.ratio")).toEqual({ doubleValue: 0.5 });
    expect(attr(checkout, "customer.note")).toBe("SSN ****, IBAN ****, NINO ****");
    // Jaeger's storage model has no array type: its OTLP translation stores an array as its JSON text (as it does
    // the SDKs' header arrays). What the gateway sent is an array (the processor's Go tests check the type); here,
    // each element redacted and none turned into another type.
    const recipients = rawAttr(checkout, "app.recipients");
    const elements: unknown =
      recipients && "arrayValue" in recipients
        ? (recipients.arrayValue as { values: { stringValue?: string }[] }).values.map((v) => v.stringValue)
        : JSON.parse(String(recipients?.["stringValue"]));
    expect(elements).toEqual(["team", "****", "****"]);
  });

  it("replaces the literals of every SQL statement", () => {
    const statements = spansOf(stored[client].resourceSpans)
      .flatMap((s) => ["db.query.text", "db.statement"].map((k) => attr(s, k)))
      .filter((v): v is string => typeof v === "string" && /select/i.test(v));
    expect(statements.length).toBeGreaterThanOrEqual(1);
    for (const s of statements) expect(s).not.toMatch(/'[^?]/);
  });
});

describe("span metrics from the real SDKs", () => {
  it("carry no raw PII in any Prometheus label", async () => {
    for (const client of Object.keys(CLIENTS) as Client[]) {
      await eventually(
        async () =>
          (await promSum(stack.prom, `traces_span_metrics_calls_total{service_name="${service(client)}"}`)) > 0 ||
          undefined,
        120_000,
        `span metrics of ${service(client)} in Prometheus`,
      );
    }
    const labels = await promAllLabelValues(stack.prom);
    const leaks = labels.filter(({ value }) => RAW.some((v) => value.includes(v)));
    expect(leaks).toEqual([]);
    expect(labels.some(({ value }) => value === "checkout for ****")).toBe(true);
  });
});
