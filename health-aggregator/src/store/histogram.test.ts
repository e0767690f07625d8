// The one quantile estimator (histogram.ts): linear inside the bucket like Prometheus' histogram_quantile, the first
// bucket from 0, a quantile in the overflow bucket reported as the highest finite bound.
import { describe, expect, it } from "vitest";
import { bucketOf, emptyHistogram, histogramQuantile, LATENCY_BUCKETS_MS } from "./histogram.js";

describe("histogramQuantile", () => {
  it("interpolates inside the bucket holding the rank", () => {
    const h = emptyHistogram();
    h[bucketOf(3)]! += 4; // (0, 5]
    h[bucketOf(20)]! += 4; // (10, 25]
    expect(histogramQuantile(h, 0.25)).toBeCloseTo(2.5, 10); // rank 2 of 4 in (0, 5]
    expect(histogramQuantile(h, 0.75)).toBeCloseTo(10 + 15 * (2 / 4), 10); // rank 2 of 4 in (10, 25]
    expect(histogramQuantile(h, 1)).toBe(25);
  });

  it("reports a quantile above the last bound as that bound, and nothing for no counts", () => {
    const h = emptyHistogram();
    h[bucketOf(60_000)]! += 1;
    expect(bucketOf(60_000)).toBe(LATENCY_BUCKETS_MS.length);
    expect(histogramQuantile(h, 0.99)).toBe(10_000);
    expect(histogramQuantile(emptyHistogram(), 0.5)).toBeNull();
    expect(histogramQuantile([0, 0], 0.5)).toBeNull();
  });

  it("puts a latency on a bound in that bound's bucket, as Prometheus' le does", () => {
    expect(bucketOf(5)).toBe(0);
    expect(bucketOf(5.01)).toBe(1);
  });
});
