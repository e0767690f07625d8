/**
 * Evaluates a flow's trace assertions against the spans of its run's trace: plain values in and out, no I/O (the
 * waiting for the trace is trace-check.ts's). An assertion selects spans (service, name, kind, attributes, parent,
 * ancestor, child), then each of its checks must hold; the first that does not fails the assertion with a message
 * naming the span and the value found, and the span's id for a link to it in Jaeger.
 */
import type { TraceSpan } from "./jaeger.js";
import type {
  AttributeValue,
  SpanSelector,
  TraceAssertion,
  TraceAssertionResult,
  TraceCheck,
  ValueMatcher,
} from "./types.js";

const regexes = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let r = regexes.get(pattern);
  if (!r) {
    r = new RegExp(pattern);
    regexes.set(pattern, r);
  }
  return r;
}

/** Whether a value (undefined: the attribute is absent) satisfies a matcher; every given condition must hold. */
export function valueMatches(matcher: ValueMatcher, value: AttributeValue | undefined): boolean {
  if (typeof matcher !== "object") return value === matcher;
  if (matcher.exists !== undefined && matcher.exists !== (value !== undefined)) return false;
  if (value === undefined) return matcher.exists === false;
  if (matcher.equals !== undefined && value !== matcher.equals) return false;
  if (matcher.oneOf !== undefined && !matcher.oneOf.includes(value)) return false;
  if (matcher.matches !== undefined && !regex(matcher.matches).test(String(value))) return false;
  if (matcher.greaterThan !== undefined && !(typeof value === "number" && value > matcher.greaterThan)) return false;
  if (matcher.lessThan !== undefined && !(typeof value === "number" && value < matcher.lessThan)) return false;
  return true;
}

/** A matcher as a failure shows it: `"x"`, `one of ["a","b"]`, `> 0`, `present`… */
export function describeMatcher(matcher: ValueMatcher): string {
  if (typeof matcher !== "object") return JSON.stringify(matcher);
  const parts: string[] = [];
  if (matcher.exists === true) parts.push("present");
  if (matcher.exists === false) parts.push("absent");
  if (matcher.equals !== undefined) parts.push(JSON.stringify(matcher.equals));
  if (matcher.oneOf !== undefined) parts.push(`one of ${JSON.stringify(matcher.oneOf)}`);
  if (matcher.matches !== undefined) parts.push(`matching /${matcher.matches}/`);
  if (matcher.greaterThan !== undefined) parts.push(`> ${matcher.greaterThan}`);
  if (matcher.lessThan !== undefined) parts.push(`< ${matcher.lessThan}`);
  return parts.join(" and ");
}

/** A selector in one line, e.g. `service=relaycore name~/^chat / kind=client`. */
export function describeSelector(s: SpanSelector): string {
  const parts: string[] = [];
  if (s.service !== undefined) parts.push(`service=${s.service}`);
  if (s.name !== undefined) parts.push(typeof s.name === "string" ? `name="${s.name}"` : `name~/${s.name.matches}/`);
  if (s.kind !== undefined) parts.push(`kind=${s.kind}`);
  for (const [key, m] of Object.entries(s.attributes ?? {})) parts.push(`${key}=${describeMatcher(m)}`);
  if (s.parent) parts.push(`parent(${describeSelector(s.parent)})`);
  if (s.ancestor) parts.push(`ancestor(${describeSelector(s.ancestor)})`);
  if (s.child) parts.push(`child(${describeSelector(s.child)})`);
  return parts.length > 0 ? parts.join(" ") : "any span";
}

/** The spans of a trace, indexed for the parent/child relations. */
export class TraceIndex {
  private readonly byId = new Map<string, TraceSpan>();
  private readonly children = new Map<string, TraceSpan[]>();

  constructor(readonly spans: readonly TraceSpan[]) {
    for (const span of spans) this.byId.set(span.spanId, span);
    for (const span of spans) {
      if (span.parentSpanId === undefined) continue;
      const list = this.children.get(span.parentSpanId) ?? [];
      list.push(span);
      this.children.set(span.parentSpanId, list);
    }
  }

  parent(span: TraceSpan): TraceSpan | undefined {
    return span.parentSpanId !== undefined ? this.byId.get(span.parentSpanId) : undefined;
  }

  childrenOf(span: TraceSpan): readonly TraceSpan[] {
    return this.children.get(span.spanId) ?? [];
  }

  matches(span: TraceSpan, s: SpanSelector): boolean {
    if (s.service !== undefined && span.service !== s.service) return false;
    if (
      s.name !== undefined &&
      !(typeof s.name === "string" ? span.name === s.name : regex(s.name.matches).test(span.name))
    )
      return false;
    if (s.kind !== undefined && span.kind !== s.kind) return false;
    for (const [key, m] of Object.entries(s.attributes ?? {})) if (!valueMatches(m, span.attributes[key])) return false;
    if (s.parent) {
      const parent = this.parent(span);
      if (!parent || !this.matches(parent, s.parent)) return false;
    }
    if (s.ancestor) {
      let above = this.parent(span);
      const seen = new Set<string>();
      while (above && !seen.has(above.spanId) && !this.matches(above, s.ancestor)) {
        seen.add(above.spanId);
        above = this.parent(above);
      }
      if (!above || seen.has(above.spanId)) return false;
    }
    if (s.child && !this.childrenOf(span).some((c) => this.matches(c, s.child!))) return false;
    return true;
  }

  /** The selected spans, in start order. */
  select(s: SpanSelector): TraceSpan[] {
    return this.spans.filter((span) => this.matches(span, s)).sort((a, b) => a.startUs - b.startUs);
  }
}

/** A check's short name, as results and metrics descriptions report it. */
export function describeCheck(c: TraceCheck): string {
  switch (c.kind) {
    case "count":
      return "count";
    case "duration":
      return "duration";
    case "status":
      return "status";
    case "attribute":
      return `attribute ${c.key}`;
    case "order":
      return "order";
  }
}

const spanLabel = (span: TraceSpan) => `span "${span.name}" (${span.service}, ${span.spanId})`;
const showValue = (v: AttributeValue | undefined) => (v === undefined ? "(absent)" : JSON.stringify(v));

interface CheckFailure {
  expected: string;
  actual: string;
  /** What was found, naming the span. */
  found: string;
  span?: TraceSpan;
}

function countFailure(
  c: Extract<TraceCheck, { kind: "count" }>,
  spans: readonly TraceSpan[],
): CheckFailure | undefined {
  const n = spans.length;
  const bounds = [
    c.equals !== undefined ? `exactly ${c.equals}` : undefined,
    c.atLeast !== undefined ? `at least ${c.atLeast}` : undefined,
    c.atMost !== undefined ? `at most ${c.atMost}` : undefined,
  ].filter((b): b is string => b !== undefined);
  const ok =
    (c.equals === undefined || n === c.equals) &&
    (c.atLeast === undefined || n >= c.atLeast) &&
    (c.atMost === undefined || n <= c.atMost);
  if (ok) return undefined;
  // Too many: the first span beyond the bound is the one to look at (for a bound of 0, the first found).
  const limit = c.equals ?? c.atMost;
  const extra = limit !== undefined && n > limit ? spans[limit] : undefined;
  const found =
    n === 0 ? "found none" : `found ${n}: ${spans.slice(0, 3).map(spanLabel).join(", ")}${n > 3 ? ", …" : ""}`;
  return { expected: `${bounds.join(" and ")} span(s)`, actual: String(n), found, ...(extra ? { span: extra } : {}) };
}

function checkFailure(c: TraceCheck, spans: readonly TraceSpan[], index: TraceIndex): CheckFailure | undefined {
  switch (c.kind) {
    case "count":
      return countFailure(c, spans);
    case "duration":
      for (const span of spans)
        if (span.durationUs / 1000 >= c.lessThanMs)
          return {
            expected: `< ${c.lessThanMs} ms`,
            actual: `${(span.durationUs / 1000).toFixed(1)} ms`,
            found: `${spanLabel(span)} took ${(span.durationUs / 1000).toFixed(1)} ms`,
            span,
          };
      return undefined;
    case "status": {
      const allowed = typeof c.equals === "string" ? [c.equals] : c.equals;
      for (const span of spans)
        if (!allowed.includes(span.status))
          return {
            expected: allowed.join(" or "),
            actual: span.status,
            found: `${spanLabel(span)} has status ${span.status}`,
            span,
          };
      return undefined;
    }
    case "attribute":
      for (const span of spans) {
        const value = span.attributes[c.key];
        if (!valueMatches(c.value, value))
          return {
            expected: describeMatcher(c.value),
            actual: showValue(value),
            found: `${spanLabel(span)} has ${c.key}=${showValue(value)}`,
            span,
          };
      }
      return undefined;
    case "order": {
      const before = index.select(c.after);
      if (before.length === 0)
        return {
          expected: `spans after ${describeSelector(c.after)}`,
          actual: "no such span",
          found: `no span matches ${describeSelector(c.after)}`,
        };
      const lastEnd = Math.max(...before.map((s) => s.startUs + s.durationUs));
      const last = before.find((s) => s.startUs + s.durationUs === lastEnd)!;
      for (const span of spans)
        if (span.startUs < lastEnd)
          return {
            expected: `starts after ${spanLabel(last)} ends`,
            actual: `starts ${((lastEnd - span.startUs) / 1000).toFixed(1)} ms before it ends`,
            found: `${spanLabel(span)} starts before ${spanLabel(last)} ends`,
            span,
          };
      return undefined;
    }
  }
}

/** One assertion against the trace. */
export function evaluateTraceAssertion(a: TraceAssertion, index: TraceIndex): TraceAssertionResult {
  const spans = index.select(a.select);
  const checks: readonly TraceCheck[] = a.expect && a.expect.length > 0 ? a.expect : [{ kind: "count", atLeast: 1 }];
  for (const c of checks) {
    const failed = checkFailure(c, spans, index);
    if (!failed) continue;
    const span = failed.span;
    return {
      name: a.name,
      status: "failed",
      check: describeCheck(c),
      expected: failed.expected,
      actual: failed.actual,
      message: `trace assertion "${a.name}" (${a.description}): ${describeCheck(c)} of spans ${describeSelector(a.select)}: expected ${failed.expected}, ${failed.found}`,
      ...(span ? { spanId: span.spanId, service: span.service, spanName: span.name } : {}),
    };
  }
  return { name: a.name, status: "passed" };
}

/** Every assertion against the trace, in the flow's order. */
export function evaluateTraceAssertions(
  assertions: readonly TraceAssertion[],
  spans: readonly TraceSpan[],
): TraceAssertionResult[] {
  const index = new TraceIndex(spans);
  return assertions.map((a) => evaluateTraceAssertion(a, index));
}
