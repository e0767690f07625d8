// The repository's module graph has no import cycle: a cycle is how types defined in their consumer (stack/'s old
// components.ts ↔ demo-components.ts ↔ scaleout.ts ↔ ports.ts) make a module's load order matter.
import { describe, expect, it } from "vitest";
import { cycles, importGraph } from "../testkit/index.js";

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
