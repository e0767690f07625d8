/**
 * Evaluates a step's assertions against a response. A failed assertion becomes a StepFailure naming the assertion,
 * the expected value and the actual one, so a red run says what broke without opening the trace.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { evaluatePath } from "./jsonpath.js";
import type { Assertion, StepFailure, StepResponse } from "./types.js";

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles a JSON Schema once; throws with Ajv's reason when the schema itself is invalid. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** A value for a message: JSON, cut to a readable length. */
export function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** A short name for an assertion, as failures report it. */
export function describeAssertion(a: Assertion): string {
  switch (a.kind) {
    case "status":
      return "status";
    case "jsonPath":
      return `jsonPath ${a.path}`;
    case "header":
      return `header ${a.name.toLowerCase()}`;
    case "responseTime":
      return "responseTime";
    case "body":
      return "body";
    case "jsonSchema":
      return "jsonSchema";
    case "tokenUsage":
      return `tokenUsage ${a.inputPath} ${a.outputPath}`;
    case "costUnder":
      return `costUnder ${a.path}`;
    case "notTruncated":
      return `notTruncated ${a.finishReasonPath}`;
    case "model":
      return `model ${a.path}`;
  }
}

function failure(a: Assertion, expected: string, actual: string, what?: string): StepFailure {
  const name = describeAssertion(a);
  return { assertion: name, expected, actual, message: `${what ?? name}: expected ${expected}, got ${actual}` };
}

function jsonOf(response: StepResponse, a: Assertion): { ok: true; body: unknown } | { ok: false; f: StepFailure } {
  if (response.json === undefined)
    return { ok: false, f: failure(a, "a JSON body", show(response.text.slice(0, 80)), describeAssertion(a)) };
  return { ok: true, body: response.json };
}

const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Checks one assertion; undefined when it holds. */
export function check(a: Assertion, response: StepResponse): StepFailure | undefined {
  switch (a.kind) {
    case "status": {
      const allowed = typeof a.equals === "number" ? [a.equals] : [...a.equals];
      return allowed.includes(response.status)
        ? undefined
        : failure(
            a,
            allowed.length === 1 ? String(allowed[0]) : `one of ${allowed.join(", ")}`,
            String(response.status),
          );
    }
    case "responseTime":
      return response.durationMs < a.lessThanMs
        ? undefined
        : failure(a, `under ${a.lessThanMs} ms`, `${Math.round(response.durationMs)} ms`);
    case "body": {
      if (a.contains !== undefined && !response.text.includes(a.contains))
        return failure(a, `a body containing ${show(a.contains)}`, show(response.text));
      if (a.matches !== undefined && !new RegExp(a.matches).test(response.text))
        return failure(a, `a body matching /${a.matches}/`, show(response.text));
      return undefined;
    }
    case "header": {
      const value = response.headers[a.name.toLowerCase()];
      if (a.exists === false) return value === undefined ? undefined : failure(a, "no such header", show(value));
      if (value === undefined) return failure(a, a.equals !== undefined ? show(a.equals) : "the header", "(absent)");
      if (a.equals !== undefined && value !== a.equals) return failure(a, show(a.equals), show(value));
      if (a.matches !== undefined && !new RegExp(a.matches).test(value))
        return failure(a, `a value matching /${a.matches}/`, show(value));
      return undefined;
    }
    case "jsonSchema": {
      const json = jsonOf(response, a);
      if (!json.ok) return json.f;
      const validate = compileSchema(a.schema);
      if (validate(json.body)) return undefined;
      const first = validate.errors?.[0];
      const where = first?.instancePath || "/";
      return failure(a, `${where} ${first?.message ?? "to match the schema"}`, show(evaluateAt(json.body, where)));
    }
    case "jsonPath": {
      const json = jsonOf(response, a);
      if (!json.ok) return json.f;
      const { found, value } = evaluatePath(json.body, a.path);
      if (a.exists === false) return found ? failure(a, "absent", show(value)) : undefined;
      if (!found) return failure(a, a.equals !== undefined ? show(a.equals) : "a value", "(absent)");
      if (a.equals !== undefined && !equal(value, a.equals)) return failure(a, show(a.equals), show(value));
      if (a.oneOf !== undefined && !a.oneOf.some((v) => equal(v, value)))
        return failure(a, `one of ${a.oneOf.map(show).join(", ")}`, show(value));
      if (a.matches !== undefined && (typeof value !== "string" || !new RegExp(a.matches).test(value)))
        return failure(a, `a string matching /${a.matches}/`, show(value));
      if (a.lessThan !== undefined && !(typeof value === "number" && value < a.lessThan))
        return failure(a, `a number below ${a.lessThan}`, show(value));
      if (a.greaterThan !== undefined && !(typeof value === "number" && value > a.greaterThan))
        return failure(a, `a number above ${a.greaterThan}`, show(value));
      return undefined;
    }
    case "tokenUsage": {
      const json = jsonOf(response, a);
      if (!json.ok) return json.f;
      for (const path of [a.inputPath, a.outputPath]) {
        const { value } = evaluatePath(json.body, path);
        if (!(typeof value === "number" && Number.isInteger(value) && value > 0))
          return failure(a, "a positive token count", show(value), `tokenUsage ${path}`);
      }
      return undefined;
    }
    case "costUnder": {
      const json = jsonOf(response, a);
      if (!json.ok) return json.f;
      const { value } = evaluatePath(json.body, a.path);
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
        return failure(a, `a recorded cost under $${a.budgetUsd}`, show(value));
      return value < a.budgetUsd ? undefined : failure(a, `a cost under $${a.budgetUsd}`, `$${value}`);
    }
    case "notTruncated": {
      const json = jsonOf(response, a);
      if (!json.ok) return json.f;
      const { value } = evaluatePath(json.body, a.finishReasonPath);
      return value === "stop" ? undefined : failure(a, show("stop"), show(value));
    }
    case "model": {
      const json = jsonOf(response, a);
      if (!json.ok) return json.f;
      const { value } = evaluatePath(json.body, a.path);
      const expected = typeof a.expected === "string" ? [a.expected] : [...a.expected];
      return typeof value === "string" && expected.includes(value)
        ? undefined
        : failure(
            a,
            expected.length === 1 ? show(expected[0]) : `one of ${expected.map(show).join(", ")}`,
            show(value),
          );
    }
  }
}

function evaluateAt(body: unknown, pointer: string): unknown {
  let current = body;
  for (const part of pointer.split("/").slice(1)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** The first assertion that fails, in the order written. */
export function firstFailure(assertions: readonly Assertion[], response: StepResponse): StepFailure | undefined {
  for (const a of assertions) {
    const f = check(a, response);
    if (f) return f;
  }
  return undefined;
}
