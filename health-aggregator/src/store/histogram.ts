/**
 * Latency histograms as the rollups keep them: counts per bucket of LATENCY_BUCKETS_MS, then one for everything
 * above. histogramQuantile() is the one quantile estimator over them — the API's history and the status page's chart
 * report the same p95 for the same checks.
 */

/** Latency histogram bucket upper bounds in ms; the last bucket is everything above. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
}

/** The bucket a latency falls in (upper bounds are inclusive, as Prometheus' `le`). */
export function bucketOf(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return i < 0 ? LATENCY_BUCKETS_MS.length : i;
}

/** Adds `from`'s counts into `into`. */
export function addHistogram(into: number[], from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i]!;
}

/**
 * A quantile from bucket counts, interpolated linearly inside its bucket — what Prometheus' histogram_quantile does
 * (the first bucket starts at 0). The overflow bucket has no upper bound: a quantile falling in it is reported as the
 * highest finite bound, as histogram_quantile does for the +Inf bucket. Null when there are no counts.
 */
export function histogramQuantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i]!;
    if (count > 0 && seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      if (i >= LATENCY_BUCKETS_MS.length) return lower;
      const upper = LATENCY_BUCKETS_MS[i]!;
      return lower + ((upper - lower) * (rank - seen)) / count;
    }
    seen += count;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
}
