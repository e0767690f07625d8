/**
 * RelayCore's per-call deadline for NeuroWeaver: long enough for the slowest healthy answer a model can give at a
 * given max_tokens (so healthy long answers do not fail over), never so short that a slowdown becomes aborted calls,
 * and bounded above.
 */
import { describe, expect, it } from "vitest";
import { model, simulateGeneration } from "../shared/models.js";
import { upstreamDeadlineMs } from "./app.js";

const profile = (name: string) => {
  const found = model(name);
  if (!found) throw new Error(`no model ${name}`);
  return found;
};

describe("upstreamDeadlineMs", () => {
  it("outlasts every healthy answer of every NeuroWeaver model at its max_tokens", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const name of ["nw-llama-3-8b", "nw-mixtral-8x7b", "nw-llama-3-70b"])
      for (const maxTokens of [64, 512, 1024]) {
        const deadline = upstreamDeadlineMs(profile(name), maxTokens, 1, 30_000);
        let slowest = 0;
        for (let i = 0; i < 20_000; i++)
          slowest = Math.max(slowest, simulateGeneration(profile(name), maxTokens, 1, random).latencyMs);
        expect(slowest, `${name} at ${maxTokens} tokens`).toBeLessThan(deadline);
      }
  });

  it("never waits less than 15 s, more for long answers of slow models, and never over the cap", () => {
    expect(upstreamDeadlineMs(profile("nw-llama-3-8b"), 64, 1, 30_000)).toBe(15_000);
    expect(upstreamDeadlineMs(profile("nw-llama-3-8b"), 1024, 1, 30_000)).toBe(15_000);
    expect(upstreamDeadlineMs(profile("nw-llama-3-70b"), 1024, 1, 30_000)).toBe(Math.ceil(1.5 * (660 + 14336)));
    expect(upstreamDeadlineMs(profile("nw-llama-3-70b"), 8192, 1, 30_000)).toBe(30_000);
    expect(upstreamDeadlineMs(profile("nw-llama-3-70b"), 1024, 0, 30_000)).toBe(15_000); // benchmarks: no latency
  });
});
