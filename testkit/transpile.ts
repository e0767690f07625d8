/**
 * Compiles a source file and everything it imports from the repository into a temporary folder of plain JavaScript,
 * for a test that must load test-kit code in a child `node` process (the test kit is not in dist/: it is not product).
 * The folder is under node_modules/.cache; the caller removes it.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../shared/index.js";
import { importGraph } from "./import-graph.js";

/** Entry (repository-relative, e.g. "testkit/ports.ts") compiled: its module's path and the folder to remove after. */
export function transpileTree(entry: string): { module: string; dir: string } {
  const graph = importGraph();
  // Inside the clone, so the compiled modules' package imports resolve from its node_modules.
  const cache = join(REPO_ROOT, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, "lookout-transpiled-"));
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...(graph.get(file) ?? []));
    const { outputText } = ts.transpileModule(readFileSync(join(REPO_ROOT, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = join(out, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return { module: join(out, entry.replace(/\.ts$/, ".js")), dir: out };
}
