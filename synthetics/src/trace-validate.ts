/**
 * Load-time validation of a flow's trace assertions (validate.ts calls it): names, selectors, matchers and checks,
 * every problem as `trace assertion N "<name>": <where>: <problem>`, all of them at once.
 */
import { isRecord, regexProblem } from "./shapes.js";

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 10_000;

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SPAN_KINDS = ["server", "client", "internal", "producer", "consumer"];
const STATUSES = ["ok", "error", "unset"];
const CHECK_KINDS = ["count", "duration", "status", "attribute", "order"];
const SELECTOR_KEYS = ["service", "name", "kind", "attributes", "parent", "ancestor", "child"];
const MATCHER_KEYS = ["equals", "oneOf", "matches", "exists", "greaterThan", "lessThan"];

function matcherProblems(m: unknown, at: string): string[] {
  if (isScalar(m)) return [];
  if (!isRecord(m)) return [`${at} must be a string, number or boolean, or { ${MATCHER_KEYS.join(", ")} }`];
  const p: string[] = [];
  const unknown = Object.keys(m).filter((k) => !MATCHER_KEYS.includes(k));
  if (unknown.length > 0) p.push(`${at}: unknown key ${unknown.join(", ")} (one of ${MATCHER_KEYS.join(", ")})`);
  if (!MATCHER_KEYS.some((k) => m[k] !== undefined)) p.push(`${at} needs one of ${MATCHER_KEYS.join(", ")}`);
  if (m.equals !== undefined && !isScalar(m.equals)) p.push(`${at}.equals must be a string, number or boolean`);
  if (m.oneOf !== undefined && (!Array.isArray(m.oneOf) || m.oneOf.length === 0 || !m.oneOf.every(isScalar)))
    p.push(`${at}.oneOf must be a non-empty list of strings, numbers or booleans`);
  if (m.matches !== undefined) {
    const problem = regexProblem(m.matches);
    if (problem) p.push(`${at}.matches ${problem}`);
  }
  if (m.exists !== undefined && typeof m.exists !== "boolean") p.push(`${at}.exists must be true or false`);
  for (const k of ["greaterThan", "lessThan"])
    if (m[k] !== undefined && typeof m[k] !== "number") p.push(`${at}.${k} must be a number`);
  return p;
}

function selectorProblems(s: unknown, at: string, depth = 0): string[] {
  if (!isRecord(s)) return [`${at} must be a span selector { ${SELECTOR_KEYS.join(", ")} }`];
  const p: string[] = [];
  const unknown = Object.keys(s).filter((k) => !SELECTOR_KEYS.includes(k));
  if (unknown.length > 0) p.push(`${at}: unknown key ${unknown.join(", ")} (one of ${SELECTOR_KEYS.join(", ")})`);
  if (Object.keys(s).length === 0) p.push(`${at} selects every span: give at least a service or a name`);
  if (s.service !== undefined && (typeof s.service !== "string" || s.service === ""))
    p.push(`${at}.service must be a service name`);
  if (s.name !== undefined) {
    if (isRecord(s.name)) {
      const problem = regexProblem(s.name.matches);
      if (problem) p.push(`${at}.name.matches ${problem}`);
    } else if (typeof s.name !== "string" || s.name === "")
      p.push(`${at}.name must be a span name or { matches: <regular expression> }`);
  }
  if (s.kind !== undefined && !SPAN_KINDS.includes(s.kind as string))
    p.push(`${at}.kind must be one of ${SPAN_KINDS.join(", ")}, got ${JSON.stringify(s.kind)}`);
  if (s.attributes !== undefined) {
    if (!isRecord(s.attributes)) p.push(`${at}.attributes must map attribute keys to values or matchers`);
    else for (const [key, m] of Object.entries(s.attributes)) p.push(...matcherProblems(m, `${at}.attributes.${key}`));
  }
  for (const relation of ["parent", "ancestor", "child"])
    if (s[relation] !== undefined) {
      if (depth >= 4) p.push(`${at}.${relation}: selectors nest at most 4 deep`);
      else p.push(...selectorProblems(s[relation], `${at}.${relation}`, depth + 1));
    }
  return p;
}

function checkProblems(c: unknown, at: string): string[] {
  if (!isRecord(c)) return [`${at} must be a check with a kind`];
  if (!CHECK_KINDS.includes(c.kind as string))
    return [`${at}: unknown kind ${JSON.stringify(c.kind)} (one of ${CHECK_KINDS.join(", ")})`];
  at = `${at} (${c.kind as string})`;
  const p: string[] = [];
  switch (c.kind) {
    case "count": {
      const given = ["equals", "atLeast", "atMost"].filter((k) => c[k] !== undefined);
      if (given.length === 0) p.push(`${at} needs equals, atLeast or atMost`);
      for (const k of given) if (!isCount(c[k])) p.push(`${at}: ${k} must be a whole number 0–10000`);
      if (isCount(c.atLeast) && isCount(c.atMost) && (c.atLeast as number) > (c.atMost as number))
        p.push(`${at}: atLeast ${c.atLeast as number} is more than atMost ${c.atMost as number}`);
      break;
    }
    case "duration":
      if (typeof c.lessThanMs !== "number" || !(c.lessThanMs > 0) || c.lessThanMs > 600_000)
        p.push(`${at}: lessThanMs must be a number of milliseconds (0–600000)`);
      break;
    case "status": {
      const list = typeof c.equals === "string" ? [c.equals] : c.equals;
      if (!Array.isArray(list) || list.length === 0 || !list.every((s) => STATUSES.includes(s as string)))
        p.push(`${at}: equals must be ${STATUSES.join(", ")} or a list of them, got ${JSON.stringify(c.equals)}`);
      break;
    }
    case "attribute":
      if (typeof c.key !== "string" || c.key === "") p.push(`${at}: key must be an attribute key`);
      if (c.value === undefined) p.push(`${at}: value must be a value or a matcher`);
      else p.push(...matcherProblems(c.value, `${at}: value`));
      break;
    case "order":
      p.push(...selectorProblems(c.after, `${at}: after`));
      break;
  }
  return p;
}

/** Every problem of a flow's `traceAssertions`, each naming the assertion; names must be unique. */
export function traceAssertionProblems(list: unknown): string[] {
  if (!Array.isArray(list)) return ["traceAssertions must be a list of trace assertions"];
  const problems: string[] = [];
  const names = new Set<string>();
  list.forEach((a: unknown, i) => {
    const name = isRecord(a) && typeof a.name === "string" ? a.name : "(unnamed)";
    const add = (problem: string) => problems.push(`trace assertion ${i + 1} "${name}": ${problem}`);
    if (!isRecord(a)) return add("must be an object { name, description, select, expect }");
    const unknown = Object.keys(a).filter((k) => !["name", "description", "select", "expect"].includes(k));
    if (unknown.length > 0) add(`unknown key ${unknown.join(", ")} (one of name, description, select, expect)`);
    if (typeof a.name !== "string" || !NAME.test(a.name))
      add("name must be lower-case letters, digits and dashes (at most 63), e.g. no-failover");
    else if (names.has(a.name)) add(`duplicate trace assertion name "${a.name}"`);
    names.add(name);
    if (typeof a.description !== "string" || a.description === "") add("description must say what it catches");
    for (const p of selectorProblems(a.select, "select")) add(p);
    if (a.expect !== undefined) {
      if (!Array.isArray(a.expect)) add("expect must be a list of checks");
      else a.expect.forEach((c: unknown, j) => checkProblems(c, `check ${j + 1}`).forEach(add));
    }
  });
  return problems;
}
