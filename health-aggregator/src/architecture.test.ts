// The aggregator's shape, checked over its sources (issue 19): no file over 400 lines, no import cycle, other top-level
// folders and workspace packages used only through their entry points, and comments that cite only files that exist.
// Each check is a function over plain values, tested on a violation too, so a check that finds nothing is not a check
// that cannot find anything.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../shared/index.js";
import { cycles, type ImportGraph, importGraph } from "../../testkit/index.js";

const SRC = "health-aggregator/src";
const MAX_LINES = 400;

/** The TypeScript files git knows under health-aggregator/src (repository-relative). */
function sourceFiles(): string[] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", SRC], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f.endsWith(".ts") && existsSync(join(REPO_ROOT, f)));
}

/** The files whose line count is over the limit, as "path: n lines". */
export function oversized(files: ReadonlyMap<string, string>, max = MAX_LINES): string[] {
  return [...files]
    .map(([file, text]) => ({ file, lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0) }))
    .filter((f) => f.lines > max)
    .map((f) => `${f.file}: ${f.lines} lines`);
}

/** The graph restricted to the files under a folder. */
function subgraph(graph: ImportGraph, folder: string): ImportGraph {
  const inside = (f: string) => f.startsWith(`${folder}/`);
  return new Map(
    [...graph].filter(([file]) => inside(file)).map(([file, targets]) => [file, targets.filter(inside)] as const),
  );
}

/**
 * Imports that reach into another top-level folder or a workspace package past its entry point, as
 * "file → specifier". Relative imports leaving health-aggregator/ must name `<folder>/index.js`; a package is imported
 * by its name only.
 */
export function boundaryViolations(file: string, text: string): string[] {
  const own = file.split("/")[0]!;
  const found: string[] = [];
  for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
    if (specifier.startsWith(".")) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      const parts = target.split("/");
      if (target.startsWith("..") || parts.length < 2 || parts[0] === own) continue;
      if (parts.length === 2 && /^index\.(js|ts)$/.test(parts[1]!)) continue;
      found.push(`${file} → ${specifier}`);
    } else if (/^@lookout\/[^/]+\/(?!package\.json$|contract\.json$)/.test(specifier)) {
      found.push(`${file} → ${specifier}`);
    }
  }
  return found;
}

/** The comments of a TypeScript source, in order. */
function comments(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const found: string[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) {
      found.push(scanner.getTokenText());
    }
  }
  return found;
}

/** What a comment names as a file: `dir/name.ext` or `name.ext` with an extension of the repository's files. */
const CITED = /(?<![\w/.@-])((?:\.{0,2}[\w-]+\/)*[\w-]+(?:\.[\w-]+)*\.(?:ts|js|mjs|md|json|ya?ml|html))(?![\w/-])/g;

/**
 * Files cited in the comments of a source that exist nowhere a reader would look: beside the file, under
 * health-aggregator/src, health-aggregator/ or the repository root. URLs are not citations.
 */
export function missingCitations(file: string, text: string, exists: (path: string) => boolean): string[] {
  const bases = [posix.dirname(file), SRC, "health-aggregator", "."];
  const missing: string[] = [];
  for (const comment of comments(text)) {
    const withoutUrls = comment.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, " ");
    for (const [, cited] of withoutUrls.matchAll(CITED)) {
      const candidates = bases.flatMap((base) => {
        const path = posix.normalize(posix.join(base, cited!));
        // Sources are cited by the name they are imported by (x.js) as often as by their own (x.ts).
        return [path, path.replace(/\.js$/, ".ts")];
      });
      if (!candidates.some(exists)) missing.push(`${file}: ${cited}`);
    }
  }
  return missing;
}

describe("health-aggregator/src", () => {
  const files = new Map(sourceFiles().map((f) => [f, readFileSync(join(REPO_ROOT, f), "utf8")] as const));
  const exists = (path: string) => !path.startsWith("..") && existsSync(join(REPO_ROOT, path));

  it("has no file over 400 lines", () => {
    expect(files.size).toBeGreaterThan(40);
    expect(oversized(files)).toEqual([]);
  });

  it("has no import cycle", () => {
    const graph = subgraph(importGraph(), SRC);
    expect(graph.size).toBe(files.size);
    expect(cycles(graph).map((c) => c.join(" → "))).toEqual([]);
  });

  it("uses other folders and packages through their entry points only", () => {
    expect([...files].flatMap(([file, text]) => boundaryViolations(file, text))).toEqual([]);
  });

  it("cites in its comments only files that exist in the repository", () => {
    expect([...files].flatMap(([file, text]) => missingCitations(file, text, exists))).toEqual([]);
  });
});

describe("the checks find a violation", () => {
  it("a file over the limit", () => {
    const text = "x\n".repeat(401);
    expect(
      oversized(
        new Map([
          ["a.ts", text],
          ["b.ts", "x\n".repeat(400)],
        ]),
      ),
    ).toEqual(["a.ts: 401 lines"]);
  });

  it("a cycle inside the folder, and not one through a file outside it", () => {
    const graph = new Map([
      [`${SRC}/a.ts`, [`${SRC}/b.ts`]],
      [`${SRC}/b.ts`, [`${SRC}/a.ts`, "shared/x.ts"]],
      ["shared/x.ts", [`${SRC}/b.ts`]],
    ]);
    expect(cycles(subgraph(graph, SRC))).toEqual([[`${SRC}/a.ts`, `${SRC}/b.ts`]]);
  });

  it("a deep import of another folder or of a workspace package", () => {
    const file = `${SRC}/engine/x.ts`;
    const text = [
      'import { a } from "../../../shared/index.js";',
      'import { b } from "../../../synthetics/src/types.js";',
      'import { c } from "@lookout/instrumentation";',
      'import { d } from "@lookout/instrumentation/src/auth.js";',
      'import { e } from "../store/types.js";',
      'import type { f } from "../../index.js";',
    ].join("\n");
    expect(boundaryViolations(file, text)).toEqual([
      `${file} → ../../../synthetics/src/types.js`,
      `${file} → @lookout/instrumentation/src/auth.js`,
    ]);
  });

  it("a comment citing a file that is not there", () => {
    const file = `${SRC}/engine/x.ts`;
    const have = new Set([`${SRC}/engine/state.ts`, "docs/health-aggregator.md", `${SRC}/app.ts`]);
    const text = [
      "// See state.js, docs/health-aggregator.md and app.ts; the contract is in DESIGN.md.",
      "/** Like https://example.com/spec.md says, and engine/gone.ts. */",
      'const s = "not-a-comment.md";',
    ].join("\n");
    expect(missingCitations(file, text, (p) => have.has(p))).toEqual([`${file}: DESIGN.md`, `${file}: engine/gone.ts`]);
  });
});
