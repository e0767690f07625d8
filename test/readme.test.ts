/** Keeps the README true: its ports table, its commands and its doc links. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../shared/index.js";
import { PORT_SPECS, resolvePorts } from "../stack/index.js";
import { lookout } from "../testkit/index.js";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

describe("README", () => {
  it("has the ports table that stack/ports.ts defines", () => {
    const table = /<!-- ports-table:start[^>]*-->\n([\s\S]*?)<!-- ports-table:end -->/.exec(readme)?.[1]?.trim();
    const ports = resolvePorts({});
    const expected = [
      "| component | port | what | override |",
      "|---|---|---|---|",
      ...PORT_SPECS.map((s) => `| ${s.component} | ${ports[s.key]} | ${s.purpose} | \`LOOKOUT_PORT_${s.key}\` |`),
    ].join("\n");
    expect(table).toBe(expected);
    // stdout only: the launcher says on stderr when it compiles first (sources newer than dist/).
    expect(lookout(["ports", "--markdown"], { ...process.env }).stdout.trim()).toBe(expected);
  });

  it("names npm scripts that exist", () => {
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    const used = [...readme.matchAll(/npm (?:run )?([a-z0-9:]+)/g)]
      .map((m) => m[1]!)
      .filter((s) => !["ci", "install", "link"].includes(s));
    expect(used.filter((s) => !(s in scripts))).toEqual([]);
  });

  it("links only to docs that exist", () => {
    const links = [...readme.matchAll(/\]\(((?:docs|compose)\/[^)#]+)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(join(REPO_ROOT, l)))).toEqual([]);
  });
});

describe("lookout --help", () => {
  it.each([
    [["--help"]],
    [["stack", "--help"]],
    [["setup", "--help"]],
    [["validate", "--help"]],
    [["render", "--help"]],
    [["ports", "--help"]],
    [["sentinel", "--help"]],
  ])("answers %j with usage and exit 0", (args) => {
    const result = lookout(args, { ...process.env });
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/Usage: lookout/);
  });

  it("refuses an unknown command with exit 2 and the usage", () => {
    const result = lookout(["frobnicate"], { ...process.env });
    expect(result.status).toBe(2);
    expect(result.output).toContain('unknown command "frobnicate"');
  });

  it("refuses a bad port override before doing anything", () => {
    const result = lookout(["ports"], { ...process.env, LOOKOUT_PORT_REDIS: "http" });
    expect(result.status).toBe(1);
    expect(result.output).toContain('LOOKOUT_PORT_REDIS="http" is not a port number');
  });
});
