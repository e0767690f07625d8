/**
 * Trace assertions against recorded Jaeger answers (testdata/: `GET /api/traces/<id>` from the native stack's Jaeger
 * for a relaycore-chat run, the same flow with RelayCore's primaryOutage fault on, and an automatrix-workflow run)
 * and against small hand-made traces: every selector and every check kind, holding and not holding, and failures
 * that name the span and the value found.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import automatrix from "../flows/automatrix.js";
import relaycore from "../flows/relaycore.js";
import { parseJaegerTrace, type TraceSpan } from "./jaeger.js";
import { evaluateTraceAssertions, TraceIndex, evaluateTraceAssertion, valueMatches } from "./trace-assertions.js";
import { expandJson } from "./template.js";
import type { Json, SpanSelector, TraceAssertion, TraceCheck, ValueMatcher } from "./types.js";

const recorded = (name: string) =>
  parseJaegerTrace(JSON.parse(readFileSync(new URL(`testdata/jaeger-${name}.json`, import.meta.url), "utf8")));

describe("parseJaegerTrace", () => {
  it("turns Jaeger's JSON into spans with service, kind, status, parent and attributes", () => {
    const spans = recorded("relaycore-chat");
    expect(spans).toHaveLength(15);
    const root = spans.find((s) => s.name === "synthetic relaycore-chat")!;
    expect(root).toMatchObject({ service: "lookout-synthetics", kind: "internal", status: "unset" });
    expect(root.parentSpanId).toBeUndefined();
    const chat = spans.find((s) => s.name === "chat nw-llama-3-8b")!;
    expect(chat).toMatchObject({ service: "relaycore", kind: "client", status: "unset" });
    expect(chat.attributes["gen_ai.provider.name"]).toBe("neuroweaver");
    expect(chat.attributes["gen_ai.usage.input_tokens"]).toBe(15);
    expect(chat.attributes).not.toHaveProperty("span.kind");
    expect(spans.find((s) => s.spanId === chat.parentSpanId)?.name).toBe("POST /v1/completions");
    const failed = recorded("relaycore-chat-outage").find((s) => s.name === "chat nw-llama-3-8b")!;
    expect(failed.status).toBe("error");
    expect(failed.attributes).not.toHaveProperty("error");
    expect(failed.attributes).not.toHaveProperty("otel.status_code");
  });

  it("returns no spans for Jaeger's answer to an unknown trace", () => {
    expect(parseJaegerTrace({ data: null, errors: [{ code: 404, msg: "trace not found" }] })).toEqual([]);
  });
});

describe("the built-in flows' trace assertions on recorded traces", () => {
  it("relaycore-chat: all hold on a normal run", () => {
    const results = evaluateTraceAssertions(relaycore.traceAssertions!, recorded("relaycore-chat"));
    expect(results).toEqual(relaycore.traceAssertions!.map((a) => ({ name: a.name, status: "passed" })));
  });

  it("relaycore-chat: a failover fails them, naming the fallback span and what it found", () => {
    const spans = recorded("relaycore-chat-outage");
    const [noFailover, primary, neuroweaver] = evaluateTraceAssertions(relaycore.traceAssertions!, spans);
    const fallback = spans.filter((s) => s.name === "chat external-large").sort((a, b) => a.startUs - b.startUs)[0]!;
    expect(noFailover).toMatchObject({
      name: "no-failover",
      status: "failed",
      check: "count",
      expected: "exactly 0 span(s)",
      actual: "2",
      spanId: fallback.spanId,
      service: "relaycore",
      spanName: "chat external-large",
    });
    expect(noFailover!.message).toContain(`span "chat external-large" (relaycore, ${fallback.spanId})`);
    expect(primary).toMatchObject({ name: "primary-call-succeeded", status: "failed", check: "count", actual: "4" });
    expect(neuroweaver).toMatchObject({
      name: "neuroweaver-called-once",
      status: "failed",
      actual: "0",
      message: expect.stringContaining("found none") as string,
    });
  });

  it("automatrix-workflow: all hold, with the workflow id filled in", () => {
    const spans = recorded("automatrix-workflow");
    const workflowId = String(spans.find((s) => s.attributes["workflow.id"])!.attributes["workflow.id"]);
    const assertions = expandJson(automatrix.traceAssertions as unknown as Json, {
      workflowId,
    }) as unknown as TraceAssertion[];
    expect(evaluateTraceAssertions(assertions, spans).map((r) => r.status)).toEqual(["passed", "passed"]);
    // Another run's workflow id: the AI steps are not this run's.
    const other = expandJson(automatrix.traceAssertions as unknown as Json, {
      workflowId: "00000000-0000-0000-0000-000000000000",
    }) as unknown as TraceAssertion[];
    expect(evaluateTraceAssertions(other, spans)[0]).toMatchObject({
      status: "failed",
      check: "attribute workflow.id",
      expected: '"00000000-0000-0000-0000-000000000000"',
      actual: JSON.stringify(workflowId),
    });
  });
});

// A small trace: root → server (api) → client call → server (db), plus a late sibling.
const span = (spanId: string, parentSpanId: string | undefined, over: Partial<TraceSpan>): TraceSpan => ({
  spanId,
  ...(parentSpanId ? { parentSpanId } : {}),
  service: "svc",
  name: spanId,
  kind: "internal",
  startUs: 0,
  durationUs: 1_000,
  status: "unset",
  attributes: {},
  ...over,
});
const TRACE: TraceSpan[] = [
  span("root", undefined, { service: "runner", name: "synthetic x", startUs: 0, durationUs: 100_000 }),
  span("srv", "root", {
    service: "api",
    name: "POST /v1/x",
    kind: "server",
    startUs: 1_000,
    durationUs: 50_000,
    attributes: { "http.response.status_code": 200, route: "/v1/x", cached: false },
  }),
  span("call", "srv", {
    service: "api",
    name: "chat m1",
    kind: "client",
    startUs: 2_000,
    durationUs: 40_000,
    attributes: { "gen_ai.usage.cost": 0.002, "gen_ai.provider.name": "primary" },
  }),
  span("db", "call", { service: "db", name: "SELECT", kind: "server", startUs: 3_000, durationUs: 5_000 }),
  span("late", "root", {
    service: "api",
    name: "GET /v1/budget",
    kind: "server",
    startUs: 60_000,
    durationUs: 2_000,
    status: "error",
  }),
];
const index = new TraceIndex(TRACE);
const ids = (s: SpanSelector) => index.select(s).map((x) => x.spanId);

describe("span selectors", () => {
  it.each<[string, SpanSelector, string[]]>([
    ["service", { service: "api" }, ["srv", "call", "late"]],
    ["service, none", { service: "nobody" }, []],
    ["exact name", { name: "chat m1" }, ["call"]],
    ["exact name, none", { name: "chat" }, []],
    ["name pattern", { name: { matches: "^(POST|GET) " } }, ["srv", "late"]],
    ["name pattern, none", { name: { matches: "^PUT " } }, []],
    ["kind", { kind: "server" }, ["srv", "db", "late"]],
    ["kind, none", { kind: "producer" }, []],
    ["attribute equals", { attributes: { route: "/v1/x" } }, ["srv"]],
    ["attribute equals, none", { attributes: { route: "/v1/y" } }, []],
    ["attribute false equals", { attributes: { cached: false } }, ["srv"]],
    ["attribute exists", { attributes: { "gen_ai.usage.cost": { exists: true } } }, ["call"]],
    ["attribute absent", { service: "api", attributes: { "gen_ai.usage.cost": { exists: false } } }, ["srv", "late"]],
    ["attribute oneOf", { attributes: { "gen_ai.provider.name": { oneOf: ["primary", "other"] } } }, ["call"]],
    ["attribute oneOf, none", { attributes: { "gen_ai.provider.name": { oneOf: ["other"] } } }, []],
    ["attribute matches", { attributes: { "http.response.status_code": { matches: "^2" } } }, ["srv"]],
    ["attribute greaterThan", { attributes: { "gen_ai.usage.cost": { greaterThan: 0.001 } } }, ["call"]],
    ["attribute greaterThan, none", { attributes: { "gen_ai.usage.cost": { greaterThan: 0.01 } } }, []],
    ["attribute lessThan", { attributes: { "http.response.status_code": { lessThan: 300 } } }, ["srv"]],
    ["attribute lessThan, none", { attributes: { "http.response.status_code": { lessThan: 200 } } }, []],
    ["parent", { parent: { kind: "server", service: "api" } }, ["call"]],
    ["parent, none", { service: "db", parent: { service: "runner" } }, []],
    ["ancestor", { service: "db", ancestor: { service: "runner" } }, ["db"]],
    ["nested ancestor", { service: "db", ancestor: { name: "chat m1", ancestor: { kind: "server" } } }, ["db"]],
    ["ancestor, none", { service: "runner", ancestor: { service: "api" } }, []],
    ["child", { child: { service: "db" } }, ["call"]],
    ["child, none", { service: "api", child: { service: "nobody" } }, []],
    ["all conditions at once", { service: "api", kind: "client", name: { matches: "^chat" }, parent: {} }, ["call"]],
  ])("%s", (_what, selector, expected) => {
    expect(ids(selector)).toEqual(expected);
  });

  it("a parent cycle in a broken trace ends the ancestor search", () => {
    const cyclic = new TraceIndex([span("a", "b", { name: "a" }), span("b", "a", { name: "b" })]);
    expect(cyclic.select({ name: "a", ancestor: { name: "nowhere" } })).toEqual([]);
  });
});

describe("value matchers", () => {
  it.each<[ValueMatcher, string | number | boolean | undefined, boolean]>([
    ["x", "x", true],
    ["x", "y", false],
    [3, 3, true],
    [3, "3", false],
    [{ equals: true }, true, true],
    [{ exists: false }, undefined, true],
    [{ exists: false }, "", false],
    [{ exists: true }, undefined, false],
    [{ matches: "^a.c$" }, "abc", true],
    [{ greaterThan: 1, lessThan: 3 }, 2, true],
    [{ greaterThan: 1, lessThan: 3 }, 3, false],
    [{ greaterThan: 1 }, "2", false],
    [{ oneOf: [1, 2] }, undefined, false],
  ])("%j against %j → %s", (matcher, value, expected) => {
    expect(valueMatches(matcher, value)).toBe(expected);
  });
});

const assertion = (select: SpanSelector, expect_: TraceCheck[]): TraceAssertion => ({
  name: "t",
  description: "what it catches",
  select,
  expect: expect_,
});
const run = (select: SpanSelector, checks: TraceCheck[]) => evaluateTraceAssertion(assertion(select, checks), index);

describe("checks", () => {
  it.each<[string, SpanSelector, TraceCheck]>([
    ["count equals", { service: "api" }, { kind: "count", equals: 3 }],
    ["count atLeast", { service: "api" }, { kind: "count", atLeast: 3 }],
    ["count atMost", { service: "api" }, { kind: "count", atMost: 3 }],
    ["count equals 0", { service: "nobody" }, { kind: "count", equals: 0 }],
    ["duration", { service: "api" }, { kind: "duration", lessThanMs: 50.5 }],
    ["status", { kind: "server", service: "api", name: "POST /v1/x" }, { kind: "status", equals: ["ok", "unset"] }],
    ["status error", { name: "GET /v1/budget" }, { kind: "status", equals: "error" }],
    ["attribute", { name: "chat m1" }, { kind: "attribute", key: "gen_ai.usage.cost", value: { greaterThan: 0 } }],
    ["order", { name: "GET /v1/budget" }, { kind: "order", after: { kind: "client", service: "api" } }],
  ])("%s holds", (_what, select, check) => {
    expect(run(select, [check])).toEqual({ name: "t", status: "passed" });
  });

  it.each<[string, SpanSelector, TraceCheck, object, string]>([
    [
      "count equals, too many",
      { service: "api" },
      { kind: "count", equals: 1 },
      { check: "count", expected: "exactly 1 span(s)", actual: "3", spanId: "call", spanName: "chat m1" },
      'found 3: span "POST /v1/x" (api, srv), span "chat m1" (api, call), span "GET /v1/budget" (api, late)',
    ],
    [
      "count atLeast, none",
      { service: "nobody" },
      { kind: "count", atLeast: 1 },
      { check: "count", expected: "at least 1 span(s)", actual: "0" },
      "expected at least 1 span(s), found none",
    ],
    [
      "count atMost",
      { service: "api" },
      { kind: "count", atMost: 2 },
      { expected: "at most 2 span(s)", actual: "3", spanId: "late" },
      "found 3",
    ],
    [
      "count equals 0",
      { name: "chat m1" },
      { kind: "count", equals: 0 },
      { expected: "exactly 0 span(s)", actual: "1", spanId: "call", service: "api" },
      'found 1: span "chat m1" (api, call)',
    ],
    [
      "duration",
      { service: "api" },
      { kind: "duration", lessThanMs: 45 },
      { check: "duration", expected: "< 45 ms", actual: "50.0 ms", spanId: "srv" },
      'span "POST /v1/x" (api, srv) took 50.0 ms',
    ],
    [
      "status",
      { service: "api", kind: "server" },
      { kind: "status", equals: ["ok", "unset"] },
      { check: "status", expected: "ok or unset", actual: "error", spanId: "late" },
      'span "GET /v1/budget" (api, late) has status error',
    ],
    [
      "attribute value",
      { name: "chat m1" },
      { kind: "attribute", key: "gen_ai.provider.name", value: "neuroweaver" },
      { check: "attribute gen_ai.provider.name", expected: '"neuroweaver"', actual: '"primary"', spanId: "call" },
      'span "chat m1" (api, call) has gen_ai.provider.name="primary"',
    ],
    [
      "attribute absent",
      { service: "api", kind: "server" },
      { kind: "attribute", key: "route", value: { exists: true } },
      { expected: "present", actual: "(absent)", spanId: "late" },
      'span "GET /v1/budget" (api, late) has route=(absent)',
    ],
    [
      "order",
      { name: "SELECT" },
      { kind: "order", after: { name: "chat m1" } },
      { check: "order", expected: 'starts after span "chat m1" (api, call) ends', spanId: "db" },
      'span "SELECT" (db, db) starts before span "chat m1" (api, call) ends',
    ],
    [
      "order, nothing to come after",
      { name: "SELECT" },
      { kind: "order", after: { name: "nothing" } },
      { check: "order", actual: "no such span" },
      'no span matches name="nothing"',
    ],
  ])("%s does not hold, and says which span and what it found", (_what, select, check, fields, found) => {
    const result = run(select, [check]);
    expect(result).toMatchObject({ name: "t", status: "failed", ...fields });
    expect(result.message).toContain('trace assertion "t" (what it catches)');
    expect(result.message).toContain(found);
  });

  it("without checks, an assertion wants at least one span; the first check that fails is reported", () => {
    expect(evaluateTraceAssertion({ name: "t", description: "d", select: { service: "nobody" } }, index)).toMatchObject(
      { status: "failed", check: "count", expected: "at least 1 span(s)" },
    );
    expect(
      run({ name: "chat m1" }, [
        { kind: "count", equals: 1 },
        { kind: "duration", lessThanMs: 1 },
        { kind: "status", equals: "error" },
      ]),
    ).toMatchObject({ status: "failed", check: "duration" });
  });
});
