/**
 * Trace assertions are validated with the rest of the flow when it loads: each mistake is one line naming the flow,
 * the assertion (position and name) and the problem.
 */
import { describe, expect, it } from "vitest";
import { flowProblems, validateFlow } from "./validate.js";

const flow = (traceAssertions: unknown) => ({
  name: "traced",
  description: "a flow",
  schedule: "*/5 * * * *",
  timeoutMs: 30_000,
  retry: { retries: 0, backoffMs: 0 },
  alertAfter: 1,
  steps: [
    {
      name: "one",
      request: { method: "GET", url: "{{urls.api}}/x" },
      extract: { id: { jsonPath: "$.id" } },
    },
  ],
  traceAssertions,
});

const ok = {
  name: "one-call",
  description: "the backend is called once",
  select: { service: "backend", kind: "server", name: { matches: "^GET " }, attributes: { id: "{{id}}" } },
  expect: [
    { kind: "count", equals: 1 },
    { kind: "duration", lessThanMs: 500 },
    { kind: "status", equals: ["ok", "unset"] },
    { kind: "attribute", key: "http.response.status_code", value: { oneOf: [200, 204] } },
    { kind: "order", after: { service: "api", child: { service: "backend" } } },
  ],
};

const problems = (assertion: object) => flowProblems(flow([{ ...ok, ...assertion }]));

describe("trace assertion validation", () => {
  it("accepts a well-formed assertion of every kind, and a flow without any", () => {
    expect(flowProblems(flow([ok]))).toEqual([]);
    expect(flowProblems(flow(undefined))).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ["not a list", { no: 1 }, 'flow "traced": traceAssertions must be a list of trace assertions'],
    [
      "not an object",
      ["count"],
      'flow "traced": trace assertion 1 "(unnamed)": must be an object { name, description, select, expect }',
    ],
    [
      "duplicate names",
      [ok, ok],
      'flow "traced": trace assertion 2 "one-call": duplicate trace assertion name "one-call"',
    ],
  ])("%s", (_what, list, message) => {
    expect(flowProblems(flow(list))).toContain(message);
  });

  it.each<[string, object, string]>([
    [
      "bad name",
      { name: "One Call" },
      "name must be lower-case letters, digits and dashes (at most 63), e.g. no-failover",
    ],
    ["no description", { description: "" }, "description must say what it catches"],
    ["unknown key", { selector: {} }, "unknown key selector (one of name, description, select, expect)"],
    [
      "no selector",
      { select: undefined },
      "select must be a span selector { service, name, kind, attributes, parent, ancestor, child }",
    ],
    ["empty selector", { select: {} }, "select selects every span: give at least a service or a name"],
    ["unknown selector key", { select: { service: "x", operation: "y" } }, "select: unknown key operation"],
    [
      "bad kind",
      { select: { kind: "SERVER" } },
      'select.kind must be one of server, client, internal, producer, consumer, got "SERVER"',
    ],
    [
      "bad name pattern",
      { select: { name: { matches: "(" } } },
      "select.name.matches is not a valid regular expression",
    ],
    ["bad name", { select: { name: 3 } }, "select.name must be a span name or { matches: <regular expression> }"],
    ["bad service", { select: { service: "" } }, "select.service must be a service name"],
    [
      "bad attributes",
      { select: { service: "x", attributes: [] } },
      "select.attributes must map attribute keys to values or matchers",
    ],
    [
      "bad matcher",
      { select: { service: "x", attributes: { a: null } } },
      "select.attributes.a must be a string, number or boolean, or { equals, oneOf, matches, exists, greaterThan, lessThan }",
    ],
    [
      "empty matcher",
      { select: { service: "x", attributes: { a: {} } } },
      "select.attributes.a needs one of equals, oneOf, matches, exists, greaterThan, lessThan",
    ],
    [
      "unknown matcher key",
      { select: { service: "x", attributes: { a: { is: 1 } } } },
      "select.attributes.a: unknown key is",
    ],
    [
      "bad oneOf",
      { select: { service: "x", attributes: { a: { oneOf: [] } } } },
      "select.attributes.a.oneOf must be a non-empty list",
    ],
    [
      "bad matches",
      { select: { service: "x", attributes: { a: { matches: "[" } } } },
      "select.attributes.a.matches is not a valid regular expression",
    ],
    [
      "bad exists",
      { select: { service: "x", attributes: { a: { exists: "yes" } } } },
      "select.attributes.a.exists must be true or false",
    ],
    [
      "bad bound",
      { select: { service: "x", attributes: { a: { greaterThan: "1" } } } },
      "select.attributes.a.greaterThan must be a number",
    ],
    ["bad parent", { select: { service: "x", parent: { kind: "up" } } }, "select.parent.kind must be one of"],
    ["bad ancestor", { select: { service: "x", ancestor: "api" } }, "select.ancestor must be a span selector"],
    ["bad child", { select: { service: "x", child: {} } }, "select.child selects every span"],
    [
      "too deep",
      { select: { service: "a", parent: { parent: { parent: { parent: { parent: { service: "b" } } } } } } },
      "select.parent.parent.parent.parent.parent: selectors nest at most 4 deep",
    ],
    ["expect not a list", { expect: { kind: "count" } }, "expect must be a list of checks"],
    [
      "unknown check",
      { expect: [{ kind: "spans" }] },
      'check 1: unknown kind "spans" (one of count, duration, status, attribute, order)',
    ],
    ["count without bound", { expect: [{ kind: "count" }] }, "check 1 (count) needs equals, atLeast or atMost"],
    [
      "bad count",
      { expect: [{ kind: "count", equals: -1 }] },
      "check 1 (count): equals must be a whole number 0–10000",
    ],
    [
      "count bounds crossed",
      { expect: [{ kind: "count", atLeast: 3, atMost: 1 }] },
      "check 1 (count): atLeast 3 is more than atMost 1",
    ],
    [
      "bad duration",
      { expect: [{ kind: "duration", lessThanMs: 0 }] },
      "check 1 (duration): lessThanMs must be a number of milliseconds",
    ],
    [
      "bad status",
      { expect: [{ kind: "status", equals: "failed" }] },
      'check 1 (status): equals must be ok, error, unset or a list of them, got "failed"',
    ],
    [
      "attribute without key",
      { expect: [{ kind: "attribute", value: 1 }] },
      "check 1 (attribute): key must be an attribute key",
    ],
    [
      "attribute without value",
      { expect: [{ kind: "attribute", key: "a" }] },
      "check 1 (attribute): value must be a value or a matcher",
    ],
    ["bad order", { expect: [{ kind: "order", after: {} }] }, "check 1 (order): after selects every span"],
  ])("%s", (_what, assertion, message) => {
    const found = problems(assertion);
    expect(
      found.some((p) => p.startsWith('flow "traced": trace assertion 1 "') && p.includes(message)),
      found.join("\n"),
    ).toBe(true);
  });

  it("a variable no step extracts is refused", () => {
    expect(problems({ select: { service: "x", attributes: { id: "{{deploymentId}}" } } })).toEqual([
      'flow "traced": trace assertion 1: uses {{deploymentId}}, which no step extracts or provides',
    ]);
  });

  it("validateFlow throws LOOKOUT_ERR_FLOW naming the file, the flow and the assertion", () => {
    expect(() => validateFlow(flow([{ ...ok, expect: [{ kind: "count" }] }]), "flows/traced.js")).toThrow(
      'flows/traced.js: flow "traced": trace assertion 1 "one-call": check 1 (count) needs equals, atLeast or atMost',
    );
  });
});
