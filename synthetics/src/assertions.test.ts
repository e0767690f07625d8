/** Every assertion kind and extraction, passing and failing, with the expected and actual values a failure reports. */
import { describe, expect, it } from "vitest";
import { check } from "./assertions.js";
import { extract } from "./extract.js";
import { evaluatePath, parsePath } from "./jsonpath.js";
import type { Assertion, StepResponse } from "./types.js";

const body = {
  model: "nw-llama-3-8b",
  finish_reason: "length",
  usage: { input_tokens: 14, output_tokens: 0 },
  cost_usd: 0.012,
  steps: [{ name: "a" }, { name: "b" }],
  "odd key": true,
};
const response: StepResponse = {
  status: 502,
  headers: { "content-type": "application/json; charset=utf-8", "x-request-id": "req-1" },
  text: JSON.stringify(body),
  json: body,
  durationMs: 840,
};

describe("assertions", () => {
  const cases: [string, Assertion, { expected: string; actual: string } | undefined][] = [
    ["status passes", { kind: "status", equals: [200, 502] }, undefined],
    ["status fails", { kind: "status", equals: 200 }, { expected: "200", actual: "502" }],
    ["jsonPath equals", { kind: "jsonPath", path: "$.steps[1].name", equals: "b" }, undefined],
    [
      "jsonPath equals fails",
      { kind: "jsonPath", path: "$.steps[-1].name", equals: "c" },
      { expected: '"c"', actual: '"b"' },
    ],
    [
      "jsonPath absent",
      { kind: "jsonPath", path: "$.nope", exists: true },
      { expected: "a value", actual: "(absent)" },
    ],
    ["jsonPath exists: false", { kind: "jsonPath", path: "$.nope", exists: false }, undefined],
    ["jsonPath bracket key", { kind: "jsonPath", path: '$["odd key"]', equals: true }, undefined],
    [
      "jsonPath length",
      { kind: "jsonPath", path: "$.steps.length", lessThan: 2 },
      { expected: "a number below 2", actual: "2" },
    ],
    [
      "jsonPath oneOf",
      { kind: "jsonPath", path: "$.model", oneOf: ["a", "b"] },
      { expected: 'one of "a", "b"', actual: '"nw-llama-3-8b"' },
    ],
    ["jsonPath matches", { kind: "jsonPath", path: "$.model", matches: "^nw-" }, undefined],
    ["jsonPath greaterThan", { kind: "jsonPath", path: "$.cost_usd", greaterThan: 0 }, undefined],
    ["header equals", { kind: "header", name: "X-Request-Id", equals: "req-1" }, undefined],
    ["header absent", { kind: "header", name: "etag", exists: true }, { expected: "the header", actual: "(absent)" }],
    [
      "header matches fails",
      { kind: "header", name: "content-type", matches: "^text/" },
      { expected: "a value matching /^text//", actual: '"application/json; charset=utf-8"' },
    ],
    ["responseTime fails", { kind: "responseTime", lessThanMs: 500 }, { expected: "under 500 ms", actual: "840 ms" }],
    ["body contains", { kind: "body", contains: '"cost_usd":0.012' }, undefined],
    [
      "body pattern fails",
      { kind: "body", matches: "^<html" },
      { expected: "a body matching /^<html/", actual: JSON.stringify(JSON.stringify(body)) },
    ],
    ["jsonSchema passes", { kind: "jsonSchema", schema: { type: "object", required: ["model"] } }, undefined],
    [
      "jsonSchema fails",
      {
        kind: "jsonSchema",
        schema: {
          type: "object",
          properties: { usage: { type: "object", properties: { output_tokens: { minimum: 1 } } } },
        },
      },
      { expected: "/usage/output_tokens must be >= 1", actual: "0" },
    ],
    [
      "tokenUsage fails on zero output",
      { kind: "tokenUsage", inputPath: "$.usage.input_tokens", outputPath: "$.usage.output_tokens" },
      { expected: "a positive token count", actual: "0" },
    ],
    [
      "tokenUsage fails when absent",
      { kind: "tokenUsage", inputPath: "$.tokens.in", outputPath: "$.usage.output_tokens" },
      { expected: "a positive token count", actual: "(absent)" },
    ],
    [
      "costUnder fails over budget",
      { kind: "costUnder", path: "$.cost_usd", budgetUsd: 0.01 },
      { expected: "a cost under $0.01", actual: "$0.012" },
    ],
    [
      "costUnder fails when not recorded",
      { kind: "costUnder", path: "$.price", budgetUsd: 1 },
      { expected: "a recorded cost under $1", actual: "(absent)" },
    ],
    ["costUnder passes", { kind: "costUnder", path: "$.cost_usd", budgetUsd: 0.05 }, undefined],
    [
      "notTruncated fails",
      { kind: "notTruncated", finishReasonPath: "$.finish_reason" },
      { expected: '"stop"', actual: '"length"' },
    ],
    ["model passes", { kind: "model", path: "$.model", expected: ["nw-llama-3-8b", "nw-mixtral-8x7b"] }, undefined],
    [
      "model fails",
      { kind: "model", path: "$.model", expected: "nw-mixtral-8x7b" },
      { expected: '"nw-mixtral-8x7b"', actual: '"nw-llama-3-8b"' },
    ],
  ];
  it.each(cases)("%s", (_name, assertion, failure) => {
    const result = check(assertion, response);
    if (failure === undefined) expect(result).toBeUndefined();
    else {
      expect(result).toMatchObject(failure);
      expect(result!.message).toContain(`expected ${failure.expected}, got ${failure.actual}`);
    }
  });

  it("fails a JSON assertion on a body that is not JSON, saying so", () => {
    const html: StepResponse = { ...response, text: "<html>oops</html>", json: undefined };
    expect(check({ kind: "jsonPath", path: "$.a", exists: true }, html)).toMatchObject({
      expected: "a JSON body",
      actual: '"<html>oops</html>"',
    });
  });
});

describe("extraction", () => {
  it("extracts by JSON path, header and pattern", () => {
    expect(extract("m", { jsonPath: "$.model" }, response)).toEqual({ value: "nw-llama-3-8b" });
    expect(extract("c", { jsonPath: "$.cost_usd" }, response)).toEqual({ value: "0.012" });
    expect(extract("r", { header: "X-Request-ID" }, response)).toEqual({ value: "req-1" });
    expect(extract("t", { pattern: '"input_tokens":(\\d+)' }, response)).toEqual({ value: "14" });
    expect(extract("w", { pattern: "nw-[a-z]+", group: 0 }, response)).toEqual({ value: "nw-llama" });
  });

  it("fails with what it looked for and what it found", () => {
    expect(extract("x", { jsonPath: "$.steps" }, response)).toMatchObject({
      failure: { assertion: "extract x", expected: "a value at $.steps", actual: '[{"name":"a"},{"name":"b"}]' },
    });
    expect(extract("x", { header: "etag" }, response)).toMatchObject({ failure: { actual: "(absent)" } });
    expect(extract("x", { pattern: "zzz(\\d)" }, response)).toMatchObject({ failure: { actual: "no match" } });
  });
});

describe("JSON path", () => {
  it("parses the supported forms and names where a bad path goes wrong", () => {
    expect(parsePath('$.a[0]["b c"].d')).toEqual(["a", 0, "b c", "d"]);
    expect(parsePath("a.b")).toBe('JSON path "a.b" must start with "$"');
    expect(parsePath("$.a..b")).toBe('JSON path "$.a..b" is not valid at character 4 ("..b")');
    expect(evaluatePath({ a: [1, 2, 3] }, "$.a[5]")).toEqual({ found: false, value: undefined });
  });
});
