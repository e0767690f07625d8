// The repository's shape: its module graph has no import cycle (a cycle is how types defined in their consumer — stack/'s
// old components.ts ↔ demo-components.ts ↔ scaleout.ts ↔ ports.ts — make a module's load order matter), and the lint
// rule that keeps each folder's insides to itself does what it says.
import { join } from "node:path";
import { Linter } from "eslint";
import { describe, expect, it } from "vitest";
import lookout from "../eslint-rules/index.js";
import { REPO_ROOT } from "../shared/index.js";
import { cycles, importGraph } from "./import-graph.js";

describe("the import graph", () => {
  it("has no cycle", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph).map((c) => c.join(" → "))).toEqual([]);
  });

  it("finds a cycle when there is one", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});

describe("lookout/package-boundaries", () => {
  const lint = (filename: string, code: string) =>
    new Linter({ configType: "flat" })
      .verify(code, [{ files: ["**/*.ts"], plugins: { lookout }, rules: { "lookout/package-boundaries": "error" } }], {
        filename: join(REPO_ROOT, filename),
      })
      .map((m) => m.message);

  it("refuses an import of another folder's insides, naming the entry point to use", () => {
    expect(lint("cli/x.ts", 'import { resolvePorts } from "../stack/ports.js";')).toEqual([
      expect.stringContaining("stack/ports.js is inside stack/: import stack/index.js instead"),
    ]);
    expect(lint("health-aggregator/src/x.ts", 'export * from "../../synthetics/src/types.js";')).toHaveLength(1);
    expect(lint("bench/x.ts", 'const m = await import("../testkit/stats.js");')).toHaveLength(1);
  });

  it("allows another folder's index.js, its own folder's files and packages by name", () => {
    expect(lint("cli/x.ts", 'import { resolvePorts } from "../stack/index.js";')).toEqual([]);
    expect(lint("stack/x.ts", 'import { resolvePorts } from "./ports.js";')).toEqual([]);
    expect(lint("health-aggregator/src/a/x.ts", 'import { x } from "../b/y.js";')).toEqual([]);
    expect(lint("cli/x.ts", 'import { instrument } from "@lookout/instrumentation";')).toEqual([]);
  });
});
