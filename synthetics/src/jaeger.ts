/**
 * The runner's seam to the trace store: a TraceSource returns a run's trace as plain spans, or undefined while the
 * store does not hold it yet. jaegerTraceSource reads Jaeger's query API (`GET /api/traces/<trace id>`, the JSON the
 * Jaeger UI itself reads); parseJaegerTrace turns that JSON into TraceSpans, so the trace assertions are tested with
 * recorded answers (synthetics/src/testdata/) and no Jaeger.
 */
import { readFileSync } from "node:fs";
import { Agent, type Dispatcher, request } from "undici";
import type { AttributeValue, SpanKindName, SpanStatusName } from "./types.js";

/** One span, as the trace assertions see it. Times in microseconds since the epoch, as Jaeger keeps them. */
export interface TraceSpan {
  spanId: string;
  /** The CHILD_OF reference within the trace; absent for the root (and for a span whose parent is missing). */
  parentSpanId?: string;
  service: string;
  name: string;
  kind: SpanKindName;
  startUs: number;
  durationUs: number;
  status: SpanStatusName;
  attributes: Readonly<Record<string, AttributeValue>>;
}

export interface TraceSource {
  /** The trace's spans; undefined while the store has no such trace. Rejects when the store cannot be read. */
  fetchTrace(traceId: string, signal: AbortSignal): Promise<TraceSpan[] | undefined>;
  /** Where the store is, for messages (no credentials). */
  readonly description: string;
}

interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references?: { refType: string; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags?: JaegerTag[];
  processID: string;
}

interface JaegerTraceResponse {
  data?: { traceID: string; spans?: JaegerSpan[]; processes?: Record<string, { serviceName: string }> }[];
}

const KINDS: readonly string[] = ["server", "client", "internal", "producer", "consumer"];

function tagValue(tag: JaegerTag): AttributeValue | undefined {
  const v = tag.value;
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return v;
  return undefined;
}

/**
 * Spans of a `/api/traces/<id>` answer. Jaeger keeps the OpenTelemetry span kind in the tag `span.kind` (absent for
 * internal spans) and the status in `otel.status_code` (`OK`, `ERROR`; absent when unset), with `error=true` beside
 * an error: those tags become kind and status and leave the attributes.
 */
export function parseJaegerTrace(json: unknown): TraceSpan[] {
  const trace = (json as JaegerTraceResponse).data?.[0];
  if (!trace) return [];
  const processes = trace.processes ?? {};
  return (trace.spans ?? []).map((span) => {
    const attributes: Record<string, AttributeValue> = {};
    let kind: SpanKindName = "internal";
    let status: SpanStatusName = "unset";
    for (const tag of span.tags ?? []) {
      const value = tagValue(tag);
      if (value === undefined) continue;
      if (tag.key === "span.kind" && typeof value === "string" && KINDS.includes(value)) kind = value as SpanKindName;
      else if (tag.key === "otel.status_code") status = value === "ERROR" ? "error" : value === "OK" ? "ok" : status;
      else if (tag.key === "error" && value === true) status = "error";
      else if (tag.key !== "otel.status_description") attributes[tag.key] = value;
    }
    const parent = (span.references ?? []).find((r) => r.refType === "CHILD_OF")?.spanID;
    return {
      spanId: span.spanID,
      ...(parent ? { parentSpanId: parent } : {}),
      service: processes[span.processID]?.serviceName ?? "(unknown)",
      name: span.operationName,
      kind,
      startUs: span.startTime,
      durationUs: span.duration,
      status,
      attributes,
    };
  });
}

export interface JaegerQueryOptions {
  /** Base URL of the query API, e.g. https://127.0.0.1:16686. */
  url: string;
  /** For a query API behind TLS client authentication (the stack's, stack/tls.ts). */
  dispatcher?: Dispatcher;
  /** Bound on one request (default 5 s). */
  requestTimeoutMs?: number;
}

/** A TraceSource over Jaeger's query API: 404 is "not there yet", any other non-200 answer an error. */
export function jaegerTraceSource(options: JaegerQueryOptions): TraceSource {
  const base = options.url.replace(/\/+$/, "");
  const timeout = options.requestTimeoutMs ?? 5_000;
  return {
    description: `Jaeger at ${base}`,
    async fetchTrace(traceId, signal) {
      const response = await request(`${base}/api/traces/${traceId}`, {
        method: "GET",
        signal,
        dispatcher: options.dispatcher,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      const text = await response.body.text();
      if (response.statusCode === 404) return undefined;
      if (response.statusCode !== 200)
        throw new Error(`Jaeger answered ${response.statusCode}: ${text.slice(0, 200).replace(/\s+/g, " ")}`);
      const spans = parseJaegerTrace(JSON.parse(text));
      return spans.length > 0 ? spans : undefined;
    },
  };
}

/** The Jaeger UI's page of a trace, opened at one span when spanId is given (`?uiFind=`). */
export function jaegerTraceUrl(uiUrl: string, traceId: string, spanId?: string): string {
  const base = `${uiUrl.replace(/\/+$/, "")}/trace/${traceId}`;
  return spanId ? `${base}?uiFind=${spanId}` : base;
}

/**
 * The query API from the environment, read once at start: LOOKOUT_JAEGER_QUERY_URL, and for a query API that takes
 * only clients with a certificate (the stack's Jaeger, stack/tls.ts) LOOKOUT_TLS_CA_FILE, LOOKOUT_TLS_CLIENT_CERT_FILE
 * and LOOKOUT_TLS_CLIENT_KEY_FILE. Undefined when LOOKOUT_JAEGER_QUERY_URL is not set: trace assertions are then not
 * evaluated. A certificate file that cannot be read throws, naming the variable.
 */
export function jaegerTraceSourceFromEnv(env: NodeJS.ProcessEnv = process.env): TraceSource | undefined {
  const url = env.LOOKOUT_JAEGER_QUERY_URL;
  if (!url) return undefined;
  if (!/^https?:\/\//.test(url))
    throw new Error(`LOOKOUT_JAEGER_QUERY_URL=${JSON.stringify(url)}: expected an http(s) URL of Jaeger's query API`);
  const read = (name: string) => {
    const file = env[name];
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`${name}=${file}: cannot read it: ${(error as Error).message}`);
    }
  };
  const ca = read("LOOKOUT_TLS_CA_FILE");
  const cert = read("LOOKOUT_TLS_CLIENT_CERT_FILE");
  const key = read("LOOKOUT_TLS_CLIENT_KEY_FILE");
  const dispatcher = ca || cert || key ? new Agent({ connect: { ca, cert, key } }) : undefined;
  return jaegerTraceSource({ url, dispatcher });
}
