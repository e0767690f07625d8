/**
 * `{{name}}` variables in request strings, and the scrubber that keeps secrets out of every output. A secret's
 * value is replaced wherever it appears — whole or URL-encoded — by `[REDACTED]` before anything is stored, logged
 * or put on a span.
 */
import type { Json } from "./types.js";

const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The variable names a string refers to. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1]!);
}

export class MissingVariable extends Error {
  constructor(readonly variable: string) {
    super(`variable {{${variable}}} has no value`);
  }
}

export function expand(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (_match, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new MissingVariable(name);
    return value;
  });
}

export function expandJson(value: Json, vars: Readonly<Record<string, string>>): Json {
  if (typeof value === "string") return expand(value, vars);
  if (Array.isArray(value)) return value.map((v) => expandJson(v, vars));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandJson(v, vars)]));
  return value;
}

/** Every variable a JSON body refers to. */
export function variablesInJson(value: Json | undefined): string[] {
  if (typeof value === "string") return variablesIn(value);
  if (Array.isArray(value)) return value.flatMap(variablesInJson);
  if (value && typeof value === "object") return Object.values(value).flatMap(variablesInJson);
  return [];
}

export const REDACTED = "[REDACTED]";

/** Replaces every known secret value in text. Values shorter than 4 characters are not scrubbed (too common). */
export class Scrubber {
  private readonly values = new Set<string>();

  add(value: string): void {
    if (value.length < 4) return;
    this.values.add(value);
    for (const variant of [encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])
      if (variant !== value) this.values.add(variant);
  }

  scrub(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(value).join(REDACTED);
    return out;
  }

  /** A deep copy with every string scrubbed. */
  scrubDeep<T>(value: T): T {
    return JSON.parse(this.scrub(JSON.stringify(value))) as T;
  }
}
