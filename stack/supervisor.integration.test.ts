/**
 * The supervisor against real child processes: whatever happens to LOOKOUT_HOME while the stack runs, stopping it
 * stops every component it started (the state file is bookkeeping, not a reason to leave processes behind).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ComponentSpec } from "./spec.js";
import { homeLayout } from "../shared/index.js";
import { Supervisor } from "./supervisor.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleeper = (name: string): ComponentSpec => ({
  name,
  command: process.execPath,
  args: ["-e", "setInterval(() => {}, 1000)"],
  ready: () => Promise.resolve(undefined),
  url: `${name} (test)`,
});

describe("Supervisor", () => {
  it("stops every component even after LOOKOUT_HOME was removed under it", async () => {
    const home = mkdtempSync(join(tmpdir(), "lookout-supervisor-"));
    const lines: string[] = [];
    const supervisor = new Supervisor({
      layout: homeLayout(home),
      specs: [sleeper("first"), sleeper("second")],
      out: (line) => lines.push(line),
      stopGraceMs: 5_000,
    });
    await supervisor.start();
    const state = JSON.parse(readFileSync(homeLayout(home).stateFile, "utf8")) as {
      components: { name: string; pid: number }[];
    };
    const pids = state.components.map((c) => c.pid);
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);

    rmSync(home, { recursive: true, force: true });
    await supervisor.stop();

    expect(pids.filter(alive)).toEqual([]);
    expect(lines).toContain("stopped first");
    expect(lines).toContain("stopped second");
    expect(lines.some((l) => l.startsWith("! cannot write ") && l.includes("ENOENT"))).toBe(true);
  });
});
