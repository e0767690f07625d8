/** The scheduler driven by a manual clock: cadence, jitter, bounded concurrency, lag, no overlap, reload. */
import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock.js";
import { Scheduler } from "./scheduler.js";

const flush = () => new Promise((r) => setImmediate(r));

describe("Scheduler", () => {
  it("runs each job once per interval, spread over the first interval by jitter", async () => {
    const clock = new ManualClock(0);
    const runs: [string, number][] = [];
    let r = 0;
    const scheduler = new Scheduler({
      clock,
      concurrency: 10,
      random: () => [0.1, 0.5, 0.9][r++ % 3]!,
      run: (key) => Promise.resolve(void runs.push([key, clock.now()])),
    });
    scheduler.setJobs([
      { key: "a", intervalMs: 10_000 },
      { key: "b", intervalMs: 10_000 },
      { key: "c", intervalMs: 10_000 },
    ]);
    scheduler.start();
    for (let t = 0; t < 30_000; t += 500) {
      clock.advance(500);
      await flush();
    }
    expect(runs.filter(([k]) => k === "a").map(([, t]) => t)).toEqual([1_000, 11_000, 21_000]);
    expect(runs.filter(([k]) => k === "b").map(([, t]) => t)).toEqual([5_000, 15_000, 25_000]);
    expect(runs.filter(([k]) => k === "c").map(([, t]) => t)).toEqual([9_000, 19_000, 29_000]);
    await scheduler.stop();
  });

  it("never runs more than `concurrency` checks at once and reports how late each started", async () => {
    const clock = new ManualClock(0);
    let active = 0;
    let peak = 0;
    const lags: number[] = [];
    const release: (() => void)[] = [];
    const scheduler = new Scheduler({
      clock,
      concurrency: 2,
      random: () => 0,
      onLag: (_k, lag) => lags.push(lag),
      run: () =>
        new Promise<void>((resolve) => {
          active++;
          peak = Math.max(peak, active);
          release.push(() => {
            active--;
            resolve();
          });
        }),
    });
    scheduler.setJobs(["a", "b", "c", "d"].map((key) => ({ key, intervalMs: 60_000 })));
    scheduler.start();
    clock.advance(0);
    await flush();
    expect(active).toBe(2);
    clock.advance(3_000); // the two others wait 3 s for a slot
    release.shift()!();
    release.shift()!();
    await flush();
    await flush();
    expect(peak).toBe(2);
    expect(lags).toEqual([0, 0, 3_000, 3_000]);
    for (const r of release.splice(0)) r();
    await scheduler.stop();
  });

  it("skips a run while the previous run of the same job is still going, instead of doubling up", async () => {
    const clock = new ManualClock(0);
    let skipped = 0;
    let started = 0;
    let finish: (() => void) | undefined;
    const scheduler = new Scheduler({
      clock,
      concurrency: 5,
      random: () => 0,
      onSkip: () => skipped++,
      run: () => {
        started++;
        return new Promise<void>((r) => (finish = r));
      },
    });
    scheduler.setJobs([{ key: "slow", intervalMs: 1_000 }]);
    scheduler.start();
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(started).toBe(1);
    expect(skipped).toBe(5);
    finish!();
    await flush();
    clock.advance(1_000);
    await flush();
    expect(started).toBe(2);
    finish!();
    await scheduler.stop();
  });

  it("keeps unchanged jobs on their schedule across a reload and drops removed ones", async () => {
    const clock = new ManualClock(0);
    const runs: [string, number][] = [];
    let r = 0;
    const scheduler = new Scheduler({
      clock,
      concurrency: 5,
      random: () => [0.3, 0.6, 0][r++]!,
      run: (key) => Promise.resolve(void runs.push([key, clock.now()])),
    });
    scheduler.setJobs([
      { key: "keep", intervalMs: 10_000 },
      { key: "drop", intervalMs: 10_000 },
    ]);
    scheduler.start();
    clock.advance(5_000);
    await flush();
    scheduler.setJobs([
      { key: "keep", intervalMs: 10_000 },
      { key: "new", intervalMs: 10_000 },
    ]);
    for (let i = 0; i < 20; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(runs.filter(([k]) => k === "keep").map(([, t]) => t)).toEqual([3_000, 13_000, 23_000]);
    expect(runs.filter(([k]) => k === "drop").map(([, t]) => t)).toEqual([]);
    expect(runs.filter(([k]) => k === "new").map(([, t]) => t)).toEqual([5_000, 15_000, 25_000]);
    await scheduler.stop();
  });
});
