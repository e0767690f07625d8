/**
 * Renders the configs of components that cannot read environment variables themselves (Prometheus 2.42 and
 * Alertmanager 0.25). The committed file is the only copy: it uses `${NAME}` placeholders, the same syntax the
 * collector and Jaeger expand natively, and this renderer fills them for the native stack and for compose (whose
 * `lookout-config` service runs `lookout render`). An unknown or unset placeholder is an error, never an empty string.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { LookoutError } from "../shared/index.js";

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/** Fills every `${NAME}` of text from values; `$${` escapes a literal `${`. */
export function renderTemplate(
  text: string,
  values: Readonly<Record<string, string | undefined>>,
  file: string,
): string {
  const missing = new Set<string>();
  const rendered = text.replace(/(\$?)\$\{([A-Z][A-Z0-9_]*)\}/g, (match, escape: string, name: string) => {
    if (escape) return match.slice(1);
    const value = values[name];
    if (value === undefined || value === "") {
      missing.add(name);
      return match;
    }
    return value;
  });
  if (missing.size > 0) {
    const lines = [...missing].map((name) => {
      const line = text.split("\n").findIndex((l) => l.includes(`\${${name}}`)) + 1;
      return `${file}:${line}: \${${name}} has no value`;
    });
    throw new LookoutError("LOOKOUT_ERR_CONFIG", `cannot render ${file}:\n${lines.join("\n")}`);
  }
  return rendered;
}

/** Placeholder names used in a template, for docs and tests. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))].sort();
}

/** Renders template into outDir under the same file name and returns the path written. */
export function renderFile(
  template: string,
  outDir: string,
  values: Readonly<Record<string, string | undefined>>,
): string {
  const out = join(outDir, basename(template));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(out, renderTemplate(readFileSync(template, "utf8"), values, template));
  return out;
}
