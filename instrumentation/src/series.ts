/**
 * Counters and histograms for the metrics a service updates on every request (HTTP and AI calls), registered in the
 * same prom-client Registry as the rest and exposed by it. prom-client's own Counter and Histogram check the label
 * names, sort and hash the label object and allocate a closure on every update; the profile of RelayCore with metrics
 * only (bench/instrumentation.ts, BENCH_PROFILE) put that at about a third of what the metrics cost a request. Here a
 * label set is looked up once by its joined values and kept; an update is a map lookup and a few additions.
 */
import type { Metric } from "prom-client";

/** What prom-client's Registry reads from a metric when it formats the exposition. */
export interface Exposed {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}

interface SeriesValues<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
}

interface CounterSeries<L extends string> extends SeriesValues<L> {
  value: number;
}

interface HistogramSeries<L extends string> extends SeriesValues<L> {
  /** Observations per bucket, not cumulative; the last one is +Inf. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

interface Options<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

/** A label set's values in labelNames order, joined: the series' key. */
const SEPARATOR = "\u0000";

abstract class LabelledMetric<L extends string, S extends SeriesValues<L>> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: Exposed["type"];
  readonly aggregator = "sum" as const;
  protected readonly labelNames: readonly L[];
  protected readonly series = new Map<string, S>();

  constructor(options: Options<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
  }

  protected abstract create(labels: Record<L, string>): S;

  /** The series of these label values (in labelNames order), created on first use. */
  protected seriesOf(values: readonly string[]): S {
    const key = values.join(SEPARATOR);
    let found = this.series.get(key);
    if (found === undefined) {
      if (values.length !== this.labelNames.length) {
        throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`);
      }
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, String(values[i])])) as Record<L, string>;
      found = this.create(labels);
      this.series.set(key, found);
    }
    return found;
  }

  /**
   * The series of a label object, as prom-client's API takes it: an unknown label name is refused; a missing one has
   * the empty value, which Prometheus reads as the label's absence — the series prom-client's omitted label makes.
   */
  protected seriesOfLabels(labels: Partial<Record<string, string | number>>): S {
    for (const name of Object.keys(labels)) {
      if (!this.labelNames.includes(name as L)) throw new Error(`${this.name}: unknown label "${name}"`);
    }
    return this.seriesOf(this.labelNames.map((n) => String(labels[n] ?? "")));
  }

  reset(): void {
    this.series.clear();
  }
}

export class LabelledCounter<L extends string> extends LabelledMetric<L, CounterSeries<L>> {
  readonly type = "counter";

  protected create(labels: Record<L, string>): CounterSeries<L> {
    return { labels, value: 0 };
  }

  /** Adds to the series of these label values (in labelNames order): the per-request path. */
  add(values: readonly string[], amount = 1): void {
    if (!(amount >= 0)) throw new Error(`${this.name}: a counter only goes up (got ${amount})`);
    this.seriesOf(values).value += amount;
  }

  /** prom-client's Counter#inc(labels, value). */
  inc(labels: Partial<Record<L, string | number>>, amount = 1): void {
    if (!(amount >= 0)) throw new Error(`${this.name}: a counter only goes up (got ${amount})`);
    this.seriesOfLabels(labels).value += amount;
  }

  get(): Promise<Exposed> {
    const values = [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

export class LabelledHistogram<L extends string> extends LabelledMetric<L, HistogramSeries<L>> {
  readonly type = "histogram";
  private readonly upperBounds: readonly number[];

  constructor(options: Options<L> & { buckets: readonly number[] }) {
    super(options);
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labels: Record<L, string>): HistogramSeries<L> {
    return { labels, buckets: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 };
  }

  /** Records one value in the series of these label values (in labelNames order): the per-request path. */
  record(values: readonly string[], value: number): void {
    this.add(this.seriesOf(values), value);
  }

  /** prom-client's Histogram#observe(labels, value). */
  observe(labels: Partial<Record<L, string | number>>, value: number): void {
    this.add(this.seriesOfLabels(labels), value);
  }

  private add(series: HistogramSeries<L>, value: number): void {
    if (!Number.isFinite(value)) throw new Error(`${this.name}: not a finite number: ${value}`);
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    series.buckets[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  get(): Promise<Exposed> {
    const values: Exposed["values"] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: "+Inf", ...s.labels }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }
}

/** Registers a labelled metric in a prom-client registry, which then exposes it with the others. */
export function asMetric(metric: LabelledCounter<string> | LabelledHistogram<string>): Metric {
  return metric as unknown as Metric;
}
