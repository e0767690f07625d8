/**
 * Flow validation at load time: every built-in flow passes; a flow with mistakes is refused with one line per
 * problem naming the flow, the step and the problem; a flow file is refused with its path.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILTIN_FLOWS } from "../flows/index.js";
import { loadFlowFile } from "./load.js";
import { flowProblems, validateFlow } from "./validate.js";

const good = {
  name: "good-flow",
  description: "a flow",
  schedule: "*/5 * * * *",
  timeoutMs: 30_000,
  retry: { retries: 1, backoffMs: 100 },
  alertAfter: 3,
  steps: [
    {
      name: "one",
      request: { method: "GET", url: "{{urls.api}}/x" },
      assert: [{ kind: "status", equals: 200 }],
      extract: { id: { jsonPath: "$.id" } },
    },
    { name: "two", request: { method: "GET", url: "{{urls.api}}/x/{{id}}" } },
  ],
};

const dir = mkdtempSync(join(tmpdir(), "lookout-flows-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("flow validation", () => {
  it("accepts the built-in flows", () => {
    expect(BUILTIN_FLOWS.map((f) => f.name)).toEqual(["automatrix-workflow", "relaycore-chat", "neuroweaver-deploy"]);
    for (const flow of BUILTIN_FLOWS) expect(flowProblems(flow)).toEqual([]);
    expect(flowProblems(good)).toEqual([]);
  });

  const bad: [string, object, string][] = [
    ["bad name", { ...good, name: "Bad Flow" }, 'flow "Bad Flow": name must be lower-case letters, digits and dashes'],
    [
      "bad cron",
      { ...good, schedule: "every minute" },
      'flow "good-flow": schedule "every minute" is not a valid cron expression',
    ],
    [
      "timeout",
      { ...good, timeoutMs: 10 },
      'flow "good-flow": timeoutMs must be a whole number of milliseconds 1000–600000',
    ],
    [
      "threshold",
      { ...good, alertAfter: 0 },
      'flow "good-flow": alertAfter must be a whole number of consecutive failures 1–100',
    ],
    [
      "recheck delay",
      { ...good, recheckMs: 500 },
      'flow "good-flow": recheckMs must be a whole number of milliseconds 1000–600000',
    ],
    [
      "retry",
      { ...good, retry: { retries: 9, backoffMs: 1 } },
      'flow "good-flow": retry: retries must be a whole number 0–5',
    ],
    ["no steps", { ...good, steps: [] }, 'flow "good-flow": steps must be a non-empty list'],
    [
      "secret env",
      { ...good, secrets: { key: "lower" } },
      'flow "good-flow": secrets.key must name an environment variable (upper case), got "lower"',
    ],
    [
      "both request and run",
      { ...good, steps: [{ name: "x", request: { method: "GET", url: "http://a" }, run: async () => {} }] },
      'flow "good-flow", step 1 "x": needs exactly one of request (an HTTP call) or run (an async function)',
    ],
    [
      "duplicate step",
      { ...good, steps: [good.steps[0], { ...good.steps[0] }] },
      'flow "good-flow", step 2 "one": duplicate step name "one"',
    ],
    [
      "method",
      { ...good, steps: [{ name: "x", request: { method: "FETCH", url: "http://a" } }] },
      'flow "good-flow", step 1 "x": request.method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, got "FETCH"',
    ],
    [
      "url",
      { ...good, steps: [{ name: "x", request: { method: "GET", url: "ftp://a" } }] },
      'flow "good-flow", step 1 "x": request.url must be an http(s) URL',
    ],
    [
      "variable used before extracted",
      { ...good, steps: [good.steps[1], good.steps[0]] },
      'flow "good-flow", step 1 "two": uses {{id}}, which no earlier step extracts',
    ],
    [
      "undeclared secret",
      { ...good, steps: [{ name: "x", request: { method: "GET", url: "{{urls.a}}/?k={{secrets.key}}" } }] },
      'flow "good-flow", step 1 "x": uses {{secrets.key}}, but the flow declares no secret "key"',
    ],
    [
      "unknown assertion",
      { ...good, steps: [{ name: "x", request: { method: "GET", url: "http://a" }, assert: [{ kind: "statuz" }] }] },
      'flow "good-flow", step 1 "x": assertion 1 (statuz): unknown kind "statuz" (one of status, jsonPath',
    ],
    [
      "bad JSON path",
      {
        ...good,
        steps: [
          {
            name: "x",
            request: { method: "GET", url: "http://a" },
            assert: [{ kind: "jsonPath", path: "model", exists: true }],
          },
        ],
      },
      'flow "good-flow", step 1 "x": assertion 1 (jsonPath): path JSON path "model" must start with "$"',
    ],
    [
      "bad regex",
      {
        ...good,
        steps: [{ name: "x", request: { method: "GET", url: "http://a" }, assert: [{ kind: "body", matches: "(" }] }],
      },
      'flow "good-flow", step 1 "x": assertion 1 (body): matches is not a valid regular expression',
    ],
    [
      "bad schema",
      {
        ...good,
        steps: [
          {
            name: "x",
            request: { method: "GET", url: "http://a" },
            assert: [{ kind: "jsonSchema", schema: { type: "thing" } }],
          },
        ],
      },
      'flow "good-flow", step 1 "x": assertion 1 (jsonSchema): schema is not a valid JSON Schema',
    ],
    [
      "budget",
      {
        ...good,
        steps: [
          {
            name: "x",
            request: { method: "GET", url: "http://a" },
            assert: [{ kind: "costUnder", path: "$.cost", budgetUsd: -1 }],
          },
        ],
      },
      'flow "good-flow", step 1 "x": assertion 1 (costUnder): budgetUsd must be a positive number (USD)',
    ],
    [
      "extraction",
      {
        ...good,
        steps: [{ name: "x", request: { method: "GET", url: "http://a" }, extract: { id: { xpath: "//id" } } }],
      },
      'flow "good-flow", step 1 "x": extract id: must be { jsonPath } or { header } or { pattern }',
    ],
  ];
  it.each(bad)("refuses %s, naming flow, step and problem", (_name, flow, message) => {
    expect(() => validateFlow(flow, "flows/bad.js")).toThrow(`flows/bad.js: ${message}`);
  });

  it("reports every problem at once", () => {
    const problems = flowProblems({ ...good, schedule: "nope", alertAfter: -1, steps: [{ name: "A B" }] });
    expect(problems).toHaveLength(4);
  });

  it("loads a flow file, and refuses a bad one naming the file, the flow and the step", async () => {
    const okFile = join(dir, "ok.mjs");
    writeFileSync(okFile, `export default ${JSON.stringify(good)};\n`);
    expect((await loadFlowFile(okFile)).map((f) => f.name)).toEqual(["good-flow"]);

    const badFile = join(dir, "bad.mjs");
    const flow = { ...good, steps: [{ ...good.steps[0], assert: [{ kind: "status", equals: 999 }] }] };
    writeFileSync(badFile, `export const a = ${JSON.stringify(flow)};\nexport const b = ${JSON.stringify(flow)};\n`);
    const error = await loadFlowFile(badFile).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message.split("\n")).toEqual([
      `${badFile}: flow "good-flow", step 1 "one": assertion 1 (status): equals must be an HTTP status code (100–599) or a list of them`,
      `${badFile}: flow "good-flow", step 1 "one": assertion 1 (status): equals must be an HTTP status code (100–599) or a list of them`,
      `${badFile}: flow "good-flow": another flow has the same name`,
    ]);

    const broken = join(dir, "broken.mjs");
    writeFileSync(broken, "export default {{;\n");
    await expect(loadFlowFile(broken)).rejects.toThrow(`${broken}: cannot load the flow file`);
  });
});
