/**
 * The key policies of otel-collector/gateway.yaml's lookout_redaction section, read the way the processor reads them
 * (otel-collector/processor/lookoutredactionprocessor/compile.go): exact keys, and RE2 key patterns matched
 * unanchored; an exactly ignored key takes no pattern; of several policies the strongest applies.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../shared/index.js";

/** The policies, strongest first (the order the processor applies them in). */
export const POLICIES = [
  "user id",
  "ignored",
  "masked whole",
  "client address",
  "URL",
  "query",
  "free text",
  "statement",
  "value rules",
] as const;
export type Policy = (typeof POLICIES)[number];

/** Where each policy's exact keys and key patterns live in the section. */
const FIELDS: Record<Policy, { keys?: string[]; patterns?: string[] }> = {
  "user id": { keys: ["user_ids", "keys"], patterns: ["user_ids", "key_patterns"] },
  ignored: { keys: ["ignored_keys"] },
  "masked whole": { patterns: ["credential_keys"] },
  "client address": { keys: ["client_ip", "keys"], patterns: ["client_ip", "key_patterns"] },
  URL: { keys: ["urls", "keys"], patterns: ["urls", "key_patterns"] },
  query: { keys: ["queries", "keys"], patterns: ["queries", "key_patterns"] },
  "free text": { keys: ["message_keys"], patterns: ["message_key_patterns"] },
  statement: { keys: ["sql", "statement_keys"], patterns: ["sql", "statement_key_patterns"] },
  "value rules": { keys: ["text", "keys"], patterns: ["text", "key_patterns"] },
};

export interface KeyPolicies {
  exact: Map<string, Set<Policy>>;
  patterns: { policy: Policy; source: string; re: RegExp }[];
  /** Exact keys and patterns per policy, for the summary. */
  counts: Record<Policy, { keys: number; patterns: number }>;
}

function list(section: Record<string, unknown>, path: string[] | undefined, where: string): string[] {
  if (!path) return [];
  let v: unknown = section;
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new Error(`${where}: ${path.join(".")} is not a list of strings`);
  }
  return v as string[];
}

/**
 * An RE2 key pattern as a JavaScript RegExp. Collector config writes a literal `$` as `$$`. Leading inline flags
 * (`(?i)`, `(?is)`) become RegExp flags; any other RE2-only construct is refused, so a pattern the translation could
 * get wrong fails the test instead of matching differently.
 */
export function re2ToRegExp(pattern: string): RegExp {
  let src = pattern.replaceAll("$$", "$");
  let flags = "";
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1]!.includes("U")) throw new Error(`key pattern ${pattern}: the U flag has no JavaScript equivalent`);
    flags = lead[1]!;
    src = src.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z-]+[:)]/.test(src) || /\\[zAQEpP]/.test(src) || /\[\[:/.test(src)) {
    throw new Error(`key pattern ${pattern}: uses an RE2 construct this test does not translate`);
  }
  return new RegExp(src, flags);
}

/** Reads the key policies of the shipped gateway.yaml. */
export function loadKeyPolicies(file = join(REPO_ROOT, "otel-collector", "gateway.yaml")): KeyPolicies {
  const doc = parse(readFileSync(file, "utf8")) as { processors?: Record<string, unknown> };
  const section = doc.processors?.["lookout_redaction"] as Record<string, unknown> | undefined;
  if (!section) throw new Error(`${file}: no processors.lookout_redaction section`);
  const exact = new Map<string, Set<Policy>>();
  const patterns: KeyPolicies["patterns"] = [];
  const counts = {} as KeyPolicies["counts"];
  for (const policy of POLICIES) {
    const keys = list(section, FIELDS[policy].keys, file);
    const pats = list(section, FIELDS[policy].patterns, file);
    counts[policy] = { keys: keys.length, patterns: pats.length };
    for (const k of keys) exact.set(k, (exact.get(k) ?? new Set()).add(policy));
    for (const p of pats) patterns.push({ policy, source: p, re: re2ToRegExp(p) });
  }
  return { exact, patterns, counts };
}

/** Every policy that names a key (exactly, or by pattern unless the key is ignored by name). */
export function policiesOf(p: KeyPolicies, key: string): Set<Policy> {
  const named = new Set(p.exact.get(key) ?? []);
  if (named.has("ignored")) return named;
  for (const { policy, re } of p.patterns) if (re.test(key)) named.add(policy);
  return named;
}

/** The policy the processor applies to a key: the strongest that names it, or undefined if none does. */
export function effectivePolicy(p: KeyPolicies, key: string): Policy | undefined {
  const named = policiesOf(p, key);
  return POLICIES.find((policy) => named.has(policy));
}
