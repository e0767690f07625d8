/**
 * Load-time validation of a flow: everything that can be wrong in a flow file is found before its first run, and
 * each problem names the flow, the step and what is wrong — all of them at once. Checks what TypeScript cannot (a
 * compiled flow file may be plain JavaScript): shapes, cron syntax, regular expressions, JSON paths and schemas, and
 * that every `{{variable}}` has a source before it is used; trace assertions are checked by trace-validate.ts.
 */
import cron from "node-cron";
import { LookoutError } from "../../shared/index.js";
import { compileSchema } from "./assertions.js";
import { parsePath } from "./jsonpath.js";
import { variablesIn, variablesInJson } from "./template.js";
import { isRecord, type Rec, regexProblem } from "./shapes.js";
import { traceAssertionProblems } from "./trace-validate.js";
import type { Flow, Json } from "./types.js";

const FLOW_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const STEP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const ASSERTION_KINDS = [
  "status",
  "jsonPath",
  "header",
  "responseTime",
  "body",
  "jsonSchema",
  "tokenUsage",
  "costUnder",
  "notTruncated",
  "model",
];

const isInt = (v: unknown, min: number, max: number) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

function pathProblem(path: unknown): string | undefined {
  if (typeof path !== "string") return "must be a JSON path string such as $.usage.input_tokens";
  const parsed = parsePath(path);
  return typeof parsed === "string" ? parsed : undefined;
}

function assertionProblems(a: unknown): string[] {
  if (!isRecord(a)) return ["must be an object with a kind"];
  if (!ASSERTION_KINDS.includes(a.kind as string))
    return [`unknown kind ${JSON.stringify(a.kind)} (one of ${ASSERTION_KINDS.join(", ")})`];
  const p: string[] = [];
  const path = (key: string) => {
    const problem = pathProblem(a[key]);
    if (problem) p.push(`${key} ${problem}`);
  };
  const regex = (key: string) => {
    if (a[key] === undefined) return;
    const problem = regexProblem(a[key]);
    if (problem) p.push(`${key} ${problem}`);
  };
  switch (a.kind) {
    case "status": {
      const codes = typeof a.equals === "number" ? [a.equals] : a.equals;
      if (!Array.isArray(codes) || codes.length === 0 || !codes.every((c) => isInt(c, 100, 599)))
        p.push("equals must be an HTTP status code (100–599) or a list of them");
      break;
    }
    case "jsonPath":
      path("path");
      regex("matches");
      if (!["equals", "exists", "matches", "oneOf", "lessThan", "greaterThan"].some((k) => a[k] !== undefined))
        p.push("needs one of equals, exists, matches, oneOf, lessThan, greaterThan");
      for (const k of ["lessThan", "greaterThan"])
        if (a[k] !== undefined && typeof a[k] !== "number") p.push(`${k} must be a number`);
      if (a.oneOf !== undefined && !Array.isArray(a.oneOf)) p.push("oneOf must be a list");
      break;
    case "header":
      if (typeof a.name !== "string" || !/^[A-Za-z0-9-]+$/.test(a.name)) p.push("name must be a header name");
      regex("matches");
      break;
    case "responseTime":
      if (!isInt(a.lessThanMs, 1, 600_000)) p.push("lessThanMs must be a whole number of milliseconds (1–600000)");
      break;
    case "body":
      if (a.contains === undefined && a.matches === undefined) p.push("needs contains or matches");
      regex("matches");
      break;
    case "jsonSchema":
      if (!isRecord(a.schema)) p.push("schema must be a JSON Schema object");
      else
        try {
          compileSchema(a.schema);
        } catch (error) {
          p.push(`schema is not a valid JSON Schema: ${(error as Error).message}`);
        }
      break;
    case "tokenUsage":
      path("inputPath");
      path("outputPath");
      break;
    case "costUnder":
      path("path");
      if (typeof a.budgetUsd !== "number" || !(a.budgetUsd > 0)) p.push("budgetUsd must be a positive number (USD)");
      break;
    case "notTruncated":
      path("finishReasonPath");
      break;
    case "model": {
      path("path");
      const expected = typeof a.expected === "string" ? [a.expected] : a.expected;
      if (!Array.isArray(expected) || expected.length === 0 || !expected.every((e) => typeof e === "string" && e))
        p.push("expected must be a model name or a list of them");
      break;
    }
  }
  return p;
}

function retryProblems(r: unknown): string[] {
  if (!isRecord(r)) return ["must be { retries, backoffMs }"];
  const p: string[] = [];
  if (!isInt(r.retries, 0, 5)) p.push("retries must be a whole number 0–5");
  if (!isInt(r.backoffMs, 0, 60_000)) p.push("backoffMs must be a whole number of milliseconds 0–60000");
  return p;
}

/** Every problem of a flow, each as `flow "<name>"[, step N "<step>"]: <problem>`. */
export function flowProblems(flow: unknown): string[] {
  if (!isRecord(flow)) return ["a flow must be an object (export it with defineFlow({...}))"];
  const name = typeof flow.name === "string" ? flow.name : "(unnamed)";
  const problems: string[] = [];
  const add = (where: string, problem: string) => problems.push(`flow "${name}"${where}: ${problem}`);
  if (typeof flow.name !== "string" || !FLOW_NAME.test(flow.name))
    add("", "name must be lower-case letters, digits and dashes (at most 63), e.g. relaycore-chat");
  if (typeof flow.description !== "string" || flow.description.length === 0) add("", "description must be a sentence");
  if (typeof flow.schedule !== "string" || !cron.validate(flow.schedule))
    add("", `schedule ${JSON.stringify(flow.schedule)} is not a valid cron expression (e.g. "*/5 * * * *")`);
  if (!isInt(flow.timeoutMs, 1_000, 600_000)) add("", "timeoutMs must be a whole number of milliseconds 1000–600000");
  for (const p of retryProblems(flow.retry)) add("", `retry: ${p}`);
  if (!isInt(flow.alertAfter, 1, 100)) add("", "alertAfter must be a whole number of consecutive failures 1–100");
  if (flow.recheckMs !== undefined && !isInt(flow.recheckMs, 1_000, 600_000))
    add(
      "",
      "recheckMs must be a whole number of milliseconds 1000–600000 (or left out: failed runs wait for the schedule)",
    );
  const secrets = flow.secrets ?? {};
  if (!isRecord(secrets)) add("", "secrets must map a secret name to an environment variable name");
  else
    for (const [key, env] of Object.entries(secrets))
      if (typeof env !== "string" || !ENV_NAME.test(env))
        add("", `secrets.${key} must name an environment variable (upper case), got ${JSON.stringify(env)}`);

  const known = new Set<string>(Object.keys(isRecord(secrets) ? secrets : {}).map((k) => `secrets.${k}`));
  const usable = (v: string) => v.startsWith("urls.") || known.has(v);
  const names = new Set<string>();
  const checkSteps = (steps: unknown, label: string, offset: number) => {
    if (!Array.isArray(steps)) {
      add("", `${label} must be a list of steps`);
      return;
    }
    steps.forEach((step: unknown, i) => {
      const stepName = isRecord(step) && typeof step.name === "string" ? step.name : "(unnamed)";
      const where = `, step ${offset + i + 1} "${stepName}"`;
      if (!isRecord(step)) return add(where, "a step must be an object");
      if (typeof step.name !== "string" || !STEP_NAME.test(step.name))
        add(where, "name must be lower-case letters, digits and dashes, e.g. create-workflow");
      else if (names.has(step.name)) add(where, `duplicate step name "${step.name}"`);
      names.add(stepName);
      if (step.retry !== undefined) for (const p of retryProblems(step.retry)) add(where, `retry: ${p}`);
      const isHttp = step.request !== undefined;
      const isFunction = step.run !== undefined;
      if (isHttp === isFunction)
        return add(where, "needs exactly one of request (an HTTP call) or run (an async function)");
      if (isFunction) {
        if (typeof step.run !== "function") add(where, "run must be an async function");
        for (const v of Array.isArray(step.provides) ? step.provides : []) if (typeof v === "string") known.add(v);
        return;
      }
      const request = step.request;
      if (!isRecord(request)) return add(where, "request must be an object { method, url, headers?, json? }");
      if (!METHODS.includes(request.method as string))
        add(where, `request.method must be one of ${METHODS.join(", ")}, got ${JSON.stringify(request.method)}`);
      if (typeof request.url !== "string" || !/^(https?:\/\/|\{\{)/.test(request.url))
        add(where, "request.url must be an http(s) URL or start with a variable such as {{urls.relaycore}}");
      const headers = request.headers ?? {};
      if (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === "string"))
        add(where, "request.headers must map header names to strings");
      const used = [
        ...(typeof request.url === "string" ? variablesIn(request.url) : []),
        ...(isRecord(headers)
          ? Object.values(headers).flatMap((v) => (typeof v === "string" ? variablesIn(v) : []))
          : []),
        ...variablesInJson(request.json as Json | undefined),
      ];
      for (const v of used)
        if (!usable(v))
          add(
            where,
            v.startsWith("secrets.")
              ? `uses {{${v}}}, but the flow declares no secret "${v.slice(8)}"`
              : `uses {{${v}}}, which no earlier step extracts`,
          );
      const assertions = step.assert ?? [];
      if (Array.isArray(assertions))
        for (const a of assertions as Rec[]) {
          const texts: unknown[] = [
            a.equals,
            a.contains,
            ...(Array.isArray(a.expected) ? (a.expected as unknown[]) : [a.expected]),
          ];
          for (const t of texts)
            if (typeof t === "string")
              for (const v of variablesIn(t))
                if (!usable(v) && !known.has(v))
                  add(where, `an assertion uses {{${v}}}, which no earlier step extracts`);
        }
      if (!Array.isArray(assertions)) add(where, "assert must be a list of assertions");
      else
        assertions.forEach((a: unknown, j) => {
          const kind = isRecord(a) && typeof a.kind === "string" ? ` (${a.kind})` : "";
          for (const p of assertionProblems(a)) add(where, `assertion ${j + 1}${kind}: ${p}`);
        });
      const extract = step.extract ?? {};
      if (!isRecord(extract)) add(where, "extract must map variable names to { jsonPath | header | pattern }");
      else
        for (const [variable, how] of Object.entries(extract)) {
          const at = `extract ${variable}`;
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) add(where, `${at}: a variable name is letters, digits and _`);
          if (!isRecord(how)) add(where, `${at}: must be { jsonPath } or { header } or { pattern }`);
          else if (typeof how.jsonPath === "string") {
            const problem = pathProblem(how.jsonPath);
            if (problem) add(where, `${at}: ${problem}`);
          } else if (typeof how.header === "string") {
            /* any header name */
          } else if (how.pattern !== undefined) {
            const problem = regexProblem(how.pattern);
            if (problem) add(where, `${at}: pattern ${problem}`);
          } else add(where, `${at}: must be { jsonPath } or { header } or { pattern }`);
          known.add(variable);
        }
    });
  };
  if (!Array.isArray(flow.steps) || flow.steps.length === 0) add("", "steps must be a non-empty list");
  else checkSteps(flow.steps, "steps", 0);
  if (flow.cleanup !== undefined)
    checkSteps(flow.cleanup, "cleanup", Array.isArray(flow.steps) ? flow.steps.length : 0);
  if (flow.traceAssertions !== undefined) {
    for (const p of traceAssertionProblems(flow.traceAssertions)) add("", p);
    if (Array.isArray(flow.traceAssertions))
      flow.traceAssertions.forEach((a: unknown, i) => {
        for (const v of variablesInJson(a as Json))
          if (!usable(v) && !known.has(v))
            add("", `trace assertion ${i + 1}: uses {{${v}}}, which no step extracts or provides`);
      });
  }
  return problems;
}

/** Returns the flow, or throws LOOKOUT_ERR_FLOW listing every problem (prefixed with where it came from). */
export function validateFlow(flow: unknown, source?: string): Flow {
  const problems = flowProblems(flow);
  if (problems.length > 0) {
    const prefix = source ? `${source}: ` : "";
    throw new LookoutError("LOOKOUT_ERR_FLOW", problems.map((p) => `${prefix}${p}`).join("\n"));
  }
  return flow as Flow;
}

/** Validates a set of flows and that their names are unique. */
export function validateFlows(flows: readonly unknown[], source?: string): Flow[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const flow of flows) {
    problems.push(...flowProblems(flow));
    const name = isRecord(flow) ? flow.name : undefined;
    if (typeof name === "string") {
      if (seen.has(name)) problems.push(`flow "${name}": another flow has the same name`);
      seen.add(name);
    }
  }
  if (problems.length > 0) {
    const prefix = source ? `${source}: ` : "";
    throw new LookoutError("LOOKOUT_ERR_FLOW", problems.map((p) => `${prefix}${p}`).join("\n"));
  }
  return flows as Flow[];
}
