/** Statistics the benchmarks report: medians of runs, quantiles of latencies. */

/** The median (the mean of the two middle values for an even count); `empty` when there are no values. */
export function median(xs: readonly number[], empty = Number.NaN): number {
  if (xs.length === 0) return empty;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile by the nearest-rank rule (the value at ⌊q·n⌋ of the sorted values, capped at the last); NaN if empty. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}
