/**
 * Checks shared by the single-gateway and two-tier tests: the redaction corpus through a running collector, and
 * reading the results back from Jaeger and Prometheus.
 */
import { expect } from "vitest";
import { eventually, type JaegerEndpoint } from "../../testkit/index.js";
import {
  buildCorpus,
  CONTROL_EVENT,
  CONTROL_RESOURCE_ATTRIBUTES,
  CONTROL_SPAN_ATTRIBUTES,
  type RedactionCase,
} from "./corpus.js";
import {
  attrMap,
  type CollectorStack,
  hmacHex,
  jaegerTraces,
  newSpanId,
  newTraceId,
  promAllLabelValues,
  promSum,
  sendSpans,
  type SpanInput,
  type StoredResourceSpans,
  type StoredSpan,
} from "./harness.js";

type Found = { span: StoredSpan; resource: StoredResourceSpans["resource"] };

function placeText(c: RedactionCase, found: Found): unknown {
  switch (c.place) {
    case "span-attribute":
      return attrMap(found.span.attributes)[c.key!];
    case "resource-attribute":
      return attrMap(found.resource?.attributes)[c.key!];
    case "event-attribute": {
      const events = (found.span.events ?? []).filter((e) => e.name !== CONTROL_EVENT.name);
      return attrMap(events[events.length - 1]?.attributes)[c.key!];
    }
    case "span-name":
      return found.span.name;
    case "status-message":
      return found.span.status?.message;
  }
}

export interface RedactionReport {
  cases: number;
  controls: number;
  kinds: Record<string, number>;
}

/**
 * Sends the corpus, waits for every case in Jaeger and for its span metrics in Prometheus, and checks: each place is
 * masked (or hashed) as promised, no secret appears anywhere in the stored traces or in any Prometheus label value,
 * and every control value is intact.
 */
export async function checkRedaction(stack: CollectorStack, tag: string): Promise<RedactionReport> {
  const corpus = buildCorpus((v) => hmacHex(stack.hashKey, v), tag);
  const spans = [...corpus.cases.map((c) => c.span), ...corpus.controls.map((c) => c.span)];
  await sendSpans(stack.ports.OTLP_HTTP, stack.token, spans, 100);

  const traces = await eventually(
    async () => {
      const found = await jaegerTraces(stack.jaegerApi, corpus.traceIds);
      const stored = [...found.values()].reduce((n, t) => n + t.length, 0);
      return stored === spans.length ? found : undefined;
    },
    120_000,
    `all ${spans.length} corpus spans in Jaeger`,
  );
  const byCase = new Map<string, Found>();
  for (const trace of traces.values()) {
    for (const f of trace) byCase.set(String(attrMap(f.span.attributes)["test.case"]), f);
  }

  const failures: string[] = [];
  for (const c of corpus.cases) {
    const found = byCase.get(c.id);
    if (!found) {
      failures.push(`${c.id} (${c.kind} in ${c.place}): span missing`);
      continue;
    }
    const text = placeText(c, found);
    const ok =
      "equals" in c.expect
        ? text === c.expect.equals
        : typeof text === "string" && text.includes(c.expect.contains) && (c.secret === "" || !text.includes(c.secret));
    if (!ok) failures.push(`${c.id} (${c.kind} in ${c.place}): got ${JSON.stringify(text)}`);
  }
  for (const c of corpus.controls) {
    const found = byCase.get(c.id);
    if (found?.span.name !== c.name || found.span.status?.message !== c.statusMessage) {
      failures.push(
        `control ${c.id}: name/status changed to ${JSON.stringify([found?.span.name, found?.span.status])}`,
      );
    }
  }
  // Every control attribute on every span, resource and control event: exactly as sent.
  for (const [id, found] of byCase) {
    const a = attrMap(found.span.attributes);
    for (const [key, value] of Object.entries(CONTROL_SPAN_ATTRIBUTES)) {
      if (a[key] !== value) failures.push(`${id}: control ${key} = ${JSON.stringify(a[key])}`);
    }
    const r = attrMap(found.resource?.attributes);
    for (const [key, value] of Object.entries(CONTROL_RESOURCE_ATTRIBUTES)) {
      if (r[key] !== value) failures.push(`${id}: resource control ${key} = ${JSON.stringify(r[key])}`);
    }
    const event = (found.span.events ?? []).find((e) => e.name === CONTROL_EVENT.name);
    expect(attrMap(event?.attributes), `${id}: control event`).toEqual(CONTROL_EVENT.attributes);
  }
  expect(failures).toEqual([]);

  // No secret anywhere in what Jaeger stored (short numeric ids are checked per place above only).
  const everything = JSON.stringify([...traces.values()]);
  const leaked = [...new Set(corpus.cases.map((c) => c.secret))].filter((s) => s.length >= 6 && everything.includes(s));
  expect(leaked).toEqual([]);

  // Span metrics of exactly these spans reached Prometheus; then no label value holds a secret.
  await eventually(
    async () =>
      (await promSum(stack.prom, `sum(traces_span_metrics_calls_total{service_name="${corpus.service}"})`)) ===
      spans.length
        ? true
        : undefined,
    90_000,
    `span metrics of the ${spans.length} corpus spans in Prometheus`,
  );
  const labelValues = await promAllLabelValues(stack.prom);
  const inLabels = [...new Set(corpus.cases.map((c) => c.secret))].filter(
    (s) => s.length >= 6 && labelValues.some((l) => l.value.includes(s)),
  );
  expect(inLabels).toEqual([]);

  const kinds: Record<string, number> = {};
  for (const c of corpus.cases) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  return { cases: corpus.cases.length, controls: corpus.controls.length, kinds };
}

/** ±6 standard deviations of Binomial(2000, 0.10) around 200 (σ ≈ 13.4): a false failure has odds below 1e-8. */
export const BASELINE_TOLERANCE = { min: 120, max: 280 };

/**
 * 2,000 ordinary two-span traces (fast, no error, a cheap AI call) for the 10% baseline, and 50 each of error, slow,
 * synthetic and costly three-span traces, which must all be kept.
 */
export function samplingLoad(tag: string): {
  special: { spans: SpanInput[]; traceIds: string[] };
  baseline: { spans: SpanInput[]; traceIds: string[] };
} {
  const special = { spans: [] as SpanInput[], traceIds: [] as string[] };
  const baseline = { spans: [] as SpanInput[], traceIds: [] as string[] };
  const trace = (kind: string, children: number, root: Partial<SpanInput>, child: Partial<SpanInput> = {}) => {
    const traceId = newTraceId();
    const rootId = newSpanId();
    const resource = { "service.name": `sampling-${kind}-${tag}` };
    const now = Date.now();
    const spans: SpanInput[] = [
      { traceId, spanId: rootId, name: `${kind} root`, startMs: now - 10, durationMs: 10, resource, ...root },
    ];
    for (let i = 0; i < children; i++) {
      spans.push({
        traceId,
        parentSpanId: rootId,
        name: `${kind} child ${i}`,
        startMs: now - 8,
        durationMs: 2,
        resource,
        ...child,
      });
    }
    return { traceId, spans };
  };
  const add = (into: typeof special, t: { traceId: string; spans: SpanInput[] }) => {
    into.traceIds.push(t.traceId);
    into.spans.push(...t.spans);
  };
  for (let i = 0; i < 2000; i++) {
    add(baseline, trace("baseline", 1, {}, { attributes: { "gen_ai.usage.cost": 0.01, "gen_ai.request.model": "m" } }));
  }
  for (let i = 0; i < 50; i++) {
    add(special, trace("error", 2, {}, { error: true, statusMessage: "upstream failed" }));
    add(special, trace("slow", 2, { startMs: Date.now() - 3_000, durationMs: 3_000 }));
    add(special, trace("synthetic", 2, { attributes: { synthetic: true } }));
    add(special, trace("costly", 2, {}, { attributes: { "gen_ai.usage.cost": 0.5, "gen_ai.request.model": "big" } }));
  }
  return { special, baseline };
}

/** How many of traceIds Jaeger holds. */
export async function keptTraces(jaeger: JaegerEndpoint, traceIds: string[]): Promise<number> {
  const stored = await jaegerTraces(jaeger, traceIds);
  return [...stored.values()].filter((t) => t.length > 0).length;
}

/** Reads a count until two reads 3 s apart agree (the last batches have reached the store). */
export async function stableCount(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (;;) {
    await new Promise((r) => setTimeout(r, 3_000));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
}
