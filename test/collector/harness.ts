/**
 * Runs part of the real native stack for the collector tests: the same ComponentSpecs `npm start` runs (from
 * stack/components.ts and stack/scaleout.ts), in a throwaway LOOKOUT_HOME on reserved ports (testkit/ports.ts).
 * The collector (and its samplers) run under the real Supervisor; Jaeger and Prometheus run under the Supervisor too,
 * or — for the fault tests, which must hold them down longer than the Supervisor's restart backoff — as plain child
 * processes the test stops and starts itself. Also: OTLP/JSON builders, and readers for Jaeger's v3 API and
 * Prometheus' API.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { request } from "undici";
import {
  components,
  type ComponentSpec,
  type StackContext,
  type Ports,
  resolvePorts,
  waitReady,
  type SamplerCount,
  loadSecrets,
  Supervisor,
  webAuthorization,
} from "../../stack/index.js";
import { homeLayout, type HomeLayout } from "../../shared/index.js";
import {
  freeStackPortEnv,
  releaseStackPortEnv,
  withPortRetry,
  type JaegerEndpoint,
  jaegerEndpoint,
  requireTools,
} from "../../testkit/index.js";

export interface CollectorStackOptions {
  samplers?: SamplerCount;
  /** Extra environment for every collector process (decision wait, flush interval, sampling rate…). */
  collectorEnv?: Record<string, string>;
  /** Run Jaeger and Prometheus as child processes the test controls (stop/start), not under the Supervisor. */
  ownBackends?: boolean;
  /** Also run the stack's own PostgreSQL and Redis (for instrumented clients to talk to). */
  databases?: boolean;
}

/** A component run directly, so a test can hold it down as long as it likes. */
export class OwnedProcess {
  private child: ChildProcess | undefined;
  constructor(
    readonly spec: ComponentSpec,
    private readonly layout: HomeLayout,
  ) {}

  async start(): Promise<void> {
    this.spec.prepare?.();
    const fd = openSync(this.layout.log(this.spec.name), "a");
    const child = spawn(this.spec.command, [...this.spec.args], {
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    this.child = child;
    let exited: string | undefined;
    child.on("exit", (code, signal) => (exited = `${this.spec.name} exited (${signal ?? code})`));
    const failure = await waitReady(this.spec.ready, 60_000, () => exited);
    if (failure) {
      // The log's tail says why (a port taken shows as "bind: address already in use", which the retry looks for).
      const log = readFileSync(this.layout.log(this.spec.name), "utf8").trimEnd().split("\n").slice(-12).join("\n");
      throw new Error(`${this.spec.name} not ready: ${failure}\n${log}`);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

export interface CollectorStack {
  home: string;
  ports: Ports;
  token: string;
  hashKey: string;
  /** The collector-side component names, e.g. ["collector"] or ["collector-sampler-1", …, "collector"]. */
  collectors: string[];
  jaeger: OwnedProcess | undefined;
  prometheus: OwnedProcess | undefined;
  /** Prometheus's API with the stack's credentials (it takes basic auth, stack/web-auth.ts). */
  prom: PromEndpoint;
  /** Jaeger's query API with the stack's TLS client certificate (stack/tls.ts). */
  jaegerApi: JaegerEndpoint;
  output: string[];
  /** With `databases`: the stack's PostgreSQL (user lookout, database postgres) and Redis passwords. */
  postgresPassword: string;
  redisPassword: string;
  stop(): Promise<void>;
}

/** Starts the stack on reserved ports; a start that loses a port to another process is retried on new ones. */
export function startCollectorStack(options: CollectorStackOptions = {}): Promise<CollectorStack> {
  return withPortRetry("collector stack", () => startCollectorStackOnce(options));
}

async function startCollectorStackOnce(options: CollectorStackOptions): Promise<CollectorStack> {
  const tools = options.databases
    ? requireTools("collector", "jaeger", "prometheus", "postgresBin", "redisServer")
    : requireTools("collector", "jaeger", "prometheus");
  // Under /tmp and traversable, like the e2e test's home.
  const home = mkdtempSync("/tmp/lookout-collector-test-");
  chmodSync(home, 0o711);
  const layout = homeLayout(home);
  const portEnv = await freeStackPortEnv();
  const ports = resolvePorts(portEnv);
  const hashKey = randomBytes(32).toString("hex");
  const secrets = loadSecrets(layout.secrets, {});
  const ctx: StackContext = { layout, ports, secrets, tools, retention: "1d" };

  // The topology comes from the test, not from whatever LOOKOUT_COLLECTOR_SAMPLERS the caller's shell has.
  const env = {
    ...process.env,
    LOOKOUT_COLLECTOR_SAMPLERS: String(options.samplers ?? 1),
    LOOKOUT_USER_ID_HASH_KEY: hashKey,
  };
  const specs = components(ctx, env)
    .filter(
      (s) =>
        ["jaeger", "prometheus", ...(options.databases ? ["postgres", "redis"] : [])].includes(s.name) ||
        s.name.startsWith("collector"),
    )
    .map((s) => (s.name.startsWith("collector") ? { ...s, env: { ...s.env, ...options.collectorEnv } } : s));

  mkdirSync(layout.logs, { recursive: true });
  const output: string[] = [];
  let jaeger: OwnedProcess | undefined;
  let prometheus: OwnedProcess | undefined;
  const supervisor = new Supervisor({
    layout,
    specs: options.ownBackends ? specs.filter((s) => s.name !== "jaeger" && s.name !== "prometheus") : specs,
    out: (line) => output.push(line),
    stopGraceMs: 5_000,
  });
  const stop = async () => {
    await supervisor.stop();
    await jaeger?.stop();
    await prometheus?.stop();
    rmSync(home, { recursive: true, force: true });
    releaseStackPortEnv(portEnv);
  };
  try {
    if (options.ownBackends) {
      jaeger = new OwnedProcess(
        specs.find((s) => s.name === "jaeger")!,
        layout,
      );
      prometheus = new OwnedProcess(
        specs.find((s) => s.name === "prometheus")!,
        layout,
      );
      await jaeger.start();
      await prometheus.start();
    }
    await supervisor.start();
  } catch (error) {
    await stop(); // what did start must not outlive a failed set-up (nor hold its ports for the retry)
    throw error;
  }

  return {
    home,
    ports,
    token: secrets.otlp_token.value,
    hashKey,
    collectors: specs.filter((s) => s.name.startsWith("collector")).map((s) => s.name),
    jaeger,
    prometheus,
    prom: { port: ports.PROMETHEUS, authorization: webAuthorization(secrets.web_password.value) },
    jaegerApi: jaegerEndpoint(ports.JAEGER_QUERY, layout.secrets),
    output,
    postgresPassword: secrets.postgres_password.value,
    redisPassword: secrets.redis_password.value,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OTLP/JSON

export type AttrValue = string | number | boolean;
export type OtlpValue =
  { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

export function otlpValue(v: AttrValue): OtlpValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

export function attrs(record: Record<string, AttrValue>): { key: string; value: OtlpValue }[] {
  return Object.entries(record).map(([key, v]) => ({ key, value: otlpValue(v) }));
}

export interface SpanInput {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  name: string;
  /** Milliseconds. */
  startMs?: number;
  durationMs?: number;
  error?: boolean;
  statusMessage?: string;
  attributes?: Record<string, AttrValue>;
  events?: { name: string; attributes: Record<string, AttrValue> }[];
  /** Resource attributes; service.name is required. */
  resource: Record<string, AttrValue>;
}

export const newTraceId = (): string => randomBytes(16).toString("hex");
export const newSpanId = (): string => randomBytes(8).toString("hex");

/** One OTLP/JSON ExportTraceServiceRequest; every span gets its own ResourceSpans (resources may differ per span). */
export function otlpRequest(spans: SpanInput[]): unknown {
  const now = Date.now();
  return {
    resourceSpans: spans.map((s) => {
      const start = s.startMs ?? now - (s.durationMs ?? 5);
      const end = start + (s.durationMs ?? 5);
      return {
        resource: { attributes: attrs(s.resource) },
        scopeSpans: [
          {
            scope: { name: "lookout-collector-test" },
            spans: [
              {
                traceId: s.traceId,
                spanId: s.spanId ?? newSpanId(),
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                name: s.name,
                kind: 2,
                startTimeUnixNano: `${BigInt(Math.round(start)) * 1_000_000n}`,
                endTimeUnixNano: `${BigInt(Math.round(end)) * 1_000_000n}`,
                attributes: attrs(s.attributes ?? {}),
                events: (s.events ?? []).map((e) => ({
                  timeUnixNano: `${BigInt(Math.round(start)) * 1_000_000n}`,
                  name: e.name,
                  attributes: attrs(e.attributes),
                })),
                status: s.error ? { code: 2, message: s.statusMessage ?? "" } : { code: 1 },
              },
            ],
          },
        ],
      };
    }),
  };
}

/** POSTs an OTLP/JSON body to the collector's HTTP ingress; resolves to the status code and body text. */
export async function postTraces(
  port: number,
  body: unknown,
  token: string | undefined,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await request(`http://127.0.0.1:${port}/v1/traces`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extraHeaders,
    },
    body: typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** Sends spans in requests of `perRequest`, failing on any non-200 answer. */
export async function sendSpans(port: number, token: string, spans: SpanInput[], perRequest = 200): Promise<void> {
  for (let i = 0; i < spans.length; i += perRequest) {
    const { status, text } = await postTraces(port, otlpRequest(spans.slice(i, i + perRequest)), token);
    if (status !== 200) throw new Error(`collector answered ${status}: ${text}`);
  }
}

export function hmacHex(key: string, value: string): string {
  return createHmac("sha256", key).update(value).digest("hex");
}

// ---------------------------------------------------------------------------------------------------------------
// Jaeger and Prometheus

export interface StoredSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
  events?: { name: string; attributes?: { key: string; value: Record<string, unknown> }[] }[];
  status?: { code?: number | string; message?: string };
}
export interface StoredResourceSpans {
  resource?: { attributes?: { key: string; value: Record<string, unknown> }[] };
  scopeSpans?: { spans?: StoredSpan[] }[];
}

/** The stored spans of one trace (empty when Jaeger does not have it), with each span's resource. */
export async function jaegerTrace(
  jaeger: JaegerEndpoint,
  traceId: string,
): Promise<{ span: StoredSpan; resource: StoredResourceSpans["resource"] }[]> {
  const response = await request(`${jaeger.url}/api/v3/traces/${traceId}`, {
    dispatcher: jaeger.dispatcher,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await response.body.text();
  if (response.statusCode === 404) return [];
  if (response.statusCode !== 200) throw new Error(`Jaeger answered ${response.statusCode}: ${text}`);
  const body = JSON.parse(text) as { result?: { resourceSpans?: StoredResourceSpans[] } };
  return (body.result?.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((span) => ({ span, resource: rs.resource }))),
  );
}

/** Fetches many traces with bounded concurrency; a map from trace id to its spans. */
export async function jaegerTraces(
  jaeger: JaegerEndpoint,
  traceIds: string[],
): Promise<Map<string, Awaited<ReturnType<typeof jaegerTrace>>>> {
  const result = new Map<string, Awaited<ReturnType<typeof jaegerTrace>>>();
  let next = 0;
  const worker = async () => {
    while (next < traceIds.length) {
      const id = traceIds[next++]!;
      result.set(id, await jaegerTrace(jaeger, id));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return result;
}

/** A stored attribute's value as a JS value (OTLP/JSON AnyValue). */
export function storedValue(value: Record<string, unknown> | undefined): unknown {
  if (!value) return undefined;
  if ("stringValue" in value) return value.stringValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return value.doubleValue;
  if ("boolValue" in value) return value.boolValue;
  return value;
}

export function attrMap(list: { key: string; value: Record<string, unknown> }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, storedValue(a.value)]));
}

/** A Prometheus on loopback and the Authorization header it takes. */
export interface PromEndpoint {
  port: number;
  authorization: string;
}

function promGet(prom: PromEndpoint, path: string) {
  return request(`http://127.0.0.1:${prom.port}${path}`, {
    headers: { authorization: prom.authorization },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
}

/** Runs an instant PromQL query; returns each series' labels and value. */
export async function promQuery(
  prom: PromEndpoint,
  query: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const response = await promGet(prom, `/api/v1/query?${new URLSearchParams({ query }).toString()}`);
  const body = (await response.body.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== "success") throw new Error(`Prometheus: ${body.error ?? "query failed"} (${query})`);
  return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** Raw samples of a range-vector selector, e.g. `metric{…}[10m]`. */
export async function promSamples(prom: PromEndpoint, selector: string): Promise<{ t: number; v: number }[][]> {
  const response = await promGet(prom, `/api/v1/query?${new URLSearchParams({ query: selector }).toString()}`);
  const body = (await response.body.json()) as {
    status: string;
    data?: { result: { values: [number, string][] }[] };
  };
  if (body.status !== "success") throw new Error(`Prometheus query failed: ${selector}`);
  return (body.data?.result ?? []).map((r) => r.values.map(([t, v]) => ({ t, v: Number(v) })));
}

/** Every label value Prometheus holds, with its label name. */
export async function promAllLabelValues(prom: PromEndpoint): Promise<{ name: string; value: string }[]> {
  const get = async (path: string) => {
    const response = await promGet(prom, path);
    return ((await response.body.json()) as { data: string[] }).data;
  };
  const out: { name: string; value: string }[] = [];
  for (const name of await get("/api/v1/labels")) {
    for (const value of await get(`/api/v1/label/${encodeURIComponent(name)}/values`)) out.push({ name, value });
  }
  return out;
}

/** Sum of a PromQL expression's series (0 when there are none). */
export async function promSum(prom: PromEndpoint, query: string): Promise<number> {
  const rows = await promQuery(prom, query);
  return rows.reduce((a, r) => a + r.value, 0);
}
