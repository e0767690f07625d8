import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { asMetric, LabelledCounter, LabelledHistogram } from "./series.js";

const BUCKETS = [0.005, 0.05, 0.5, 5];
const labelNames = ["method", "route"] as const;

/** The same updates through prom-client's own classes and through series.ts, each in its own registry. */
function both() {
  const reference = new Registry();
  const ours = new Registry();
  const refCounter = new Counter({ name: "x_total", help: "x", labelNames, registers: [reference] });
  const refHistogram = new Histogram({
    name: "y_seconds",
    help: "y",
    labelNames,
    buckets: BUCKETS,
    registers: [reference],
  });
  const counter = new LabelledCounter({ name: "x_total", help: "x", labelNames });
  const histogram = new LabelledHistogram({ name: "y_seconds", help: "y", labelNames, buckets: BUCKETS });
  ours.registerMetric(asMetric(counter));
  ours.registerMetric(asMetric(histogram));
  return { reference, ours, refCounter, refHistogram, counter, histogram };
}

describe("LabelledCounter and LabelledHistogram", () => {
  it("expose exactly what prom-client's Counter and Histogram expose for the same updates", async () => {
    const m = both();
    const updates: [string, string, number][] = [
      ["GET", "/a", 0.001],
      ["GET", "/a", 0.005],
      ["POST", "/b/:id", 0.7],
      ["GET", "/a", 12],
      ["POST", "/b/:id", 0.05],
      ['GE"T', "/c\\d\n", 0.2],
    ];
    for (const [method, route, value] of updates) {
      m.refCounter.inc({ method, route });
      m.refHistogram.observe({ method, route }, value);
      if (value > 1) {
        m.counter.inc({ route, method });
        m.histogram.observe({ route, method }, value);
      } else {
        m.counter.add([method, route]);
        m.histogram.record([method, route], value);
      }
    }
    m.refCounter.inc({ method: "GET", route: "/a" }, 2.5);
    m.counter.add(["GET", "/a"], 2.5);
    expect(await m.ours.metrics()).toBe(await m.reference.metrics());
    m.reference.resetMetrics();
    m.ours.resetMetrics();
    expect(await m.ours.metrics()).toBe(await m.reference.metrics());
  });

  it("refuses unknown labels, a wrong number of label values, a counter going down and non-finite values", () => {
    const { counter, histogram } = both();
    expect(() => counter.inc({ method: "GET", path: "/x" } as never)).toThrow('x_total: unknown label "path"');
    expect(() => counter.add(["GET"])).toThrow("x_total: expected 2 label values, got 1");
    expect(() => counter.inc({ method: "GET", route: "/" }, -1)).toThrow("x_total: a counter only goes up (got -1)");
    expect(() => counter.add(["GET", "/"], -0.5)).toThrow("x_total: a counter only goes up (got -0.5)");
    expect(() => counter.add(["GET", "/"], Number.NaN)).toThrow("x_total: a counter only goes up (got NaN)");
    expect(() => histogram.record(["GET", "/"], Number.NaN)).toThrow("y_seconds: not a finite number: NaN");
  });
});
