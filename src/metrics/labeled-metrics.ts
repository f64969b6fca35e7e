import type { Metric, MetricValue, MetricValueWithName, Registry } from 'prom-client';

/**
 * Counters and histograms for hot paths that record hundreds of thousands of samples a second.
 *
 * prom-client validates and hashes the label set on every `observe()`, even through a child from
 * `labels()` (about 0.7 µs per histogram sample). Here a child is looked up once by its label
 * values and then updated with plain arithmetic (a few ns). The families register on the given
 * Registry and render through `get()` exactly like prom-client's own, so exposition, the
 * registry's JSON and `resetMetrics()` treat them the same.
 */

const SEP = '\u0001';

/** What `get()` returns: the shape prom-client's own metrics return and exposition.ts renders. */
export interface FamilySnapshot<V> {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: V[];
  aggregator: 'sum';
}

interface FamilyOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  registry: Registry;
}

interface Series<Child> {
  readonly labels: Record<string, string>;
  readonly child: Child;
  /** The labels as exposition text, once a scrape has asked for it. */
  text?: string;
}

abstract class LabeledFamily<Child> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum' as const;
  protected readonly children = new Map<string, Series<Child>>();

  constructor(options: FamilyOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    options.registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values (in labelNames order), created on first use at 0. */
  child(values: readonly string[]): Child {
    const key = values.length === 1 ? values[0]! : values.join(SEP);
    const hit = this.children.get(key);
    if (hit !== undefined) return hit.child;
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name}: expected ${this.labelNames.length} label values, got ${values.length}`);
    }
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => {
      labels[name] = values[i]!;
    });
    const child = this.create();
    this.children.set(key, { labels, child });
    return child;
  }

  /**
   * Each child with its labels as exposition text, made by `text` the first time and kept: label
   * values never change, so a scrape does not escape them again (exposition.ts).
   */
  *series(
    text: (labels: Record<string, string>) => string,
  ): IterableIterator<Series<Child> & { text: string }> {
    for (const entry of this.children.values()) {
      entry.text ??= text(entry.labels);
      yield entry as Series<Child> & { text: string };
    }
  }

  /** Whether a child with these values exists. */
  has(values: readonly string[]): boolean {
    return this.children.has(values.length === 1 ? values[0]! : values.join(SEP));
  }

  get size(): number {
    return this.children.size;
  }

  /** Removes every series whose label `name` has `value`; returns how many went. */
  removeWhere(name: string, value: string): number {
    const index = this.labelNames.indexOf(name);
    if (index === -1) return 0;
    let removed = 0;
    for (const [key, series] of this.children) {
      if (series.labels[name] === value) {
        this.children.delete(key);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Moves every series whose label `name` has `value` into the series where it has `into`
   * instead (the other labels alike), adding their values; returns how many moved.
   */
  mergeWhere(name: string, value: string, into: string): number {
    const index = this.labelNames.indexOf(name);
    if (index === -1) return 0;
    const moving = [...this.children.entries()].filter(([, series]) => series.labels[name] === value);
    for (const [key, series] of moving) {
      this.children.delete(key);
      const values = this.labelNames.map((label) => (label === name ? into : series.labels[label]!));
      this.add(series.child, this.child(values));
    }
    return moving.length;
  }

  /** Back to no series at all, as prom-client's reset() does. */
  reset(): void {
    this.children.clear();
  }

  protected abstract create(): Child;

  /** Adds what `from` recorded to `into`. */
  protected abstract add(from: Child, into: Child): void;
}

export class CounterChild {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }
}

export class LabeledCounter extends LabeledFamily<CounterChild> {
  readonly type = 'counter' as const;

  protected create(): CounterChild {
    return new CounterChild();
  }

  protected add(from: CounterChild, into: CounterChild): void {
    into.value += from.value;
  }

  get(): FamilySnapshot<MetricValue<string>> {
    const values: MetricValue<string>[] = [];
    for (const { labels, child } of this.children.values()) values.push({ labels, value: child.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** The latest sample of a bucket with the labels that identify it (e.g. a trace id), OpenMetrics-style. */
export interface Exemplar {
  labelSet: Record<string, string>;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

export class HistogramChild {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** Latest exemplar per bucket, allocated on the first exemplar only. */
  exemplars: (Exemplar | undefined)[] | undefined;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number, exemplar?: Record<string, string>): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
    if (exemplar !== undefined) {
      this.exemplars ??= new Array(bounds.length + 1);
      this.exemplars[i] = { labelSet: exemplar, value, timestamp: Date.now() / 1000 };
    }
  }
}

export class GaugeChild {
  value = 0;

  inc(by = 1): void {
    this.value += by;
  }

  dec(by = 1): void {
    this.value -= by;
  }

  set(value: number): void {
    this.value = value;
  }
}

export class LabeledGauge extends LabeledFamily<GaugeChild> {
  readonly type = 'gauge' as const;

  protected create(): GaugeChild {
    return new GaugeChild();
  }

  protected add(from: GaugeChild, into: GaugeChild): void {
    into.value += from.value;
  }

  get(): FamilySnapshot<MetricValue<string>> {
    const values: MetricValue<string>[] = [];
    for (const { labels, child } of this.children.values()) values.push({ labels, value: child.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class LabeledHistogram extends LabeledFamily<HistogramChild> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];

  constructor(options: FamilyOptions & { buckets: readonly number[] }) {
    super(options);
    this.buckets = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(): HistogramChild {
    return new HistogramChild(this.buckets);
  }

  protected add(from: HistogramChild, into: HistogramChild): void {
    for (let i = 0; i < from.counts.length; i++) into.counts[i]! += from.counts[i]!;
    into.sum += from.sum;
    into.count += from.count;
    if (from.exemplars === undefined) return;
    into.exemplars ??= new Array(from.counts.length);
    from.exemplars.forEach((exemplar, i) => {
      const kept = into.exemplars![i];
      if (exemplar !== undefined && (kept === undefined || kept.timestamp < exemplar.timestamp)) {
        into.exemplars![i] = exemplar;
      }
    });
  }

  get(): FamilySnapshot<MetricValueWithName<string>> {
    const values: MetricValueWithName<string>[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0;
      const exemplars = child.exemplars;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += child.counts[i]!;
        values.push({
          metricName: bucketName,
          labels: { le: this.buckets[i]!, ...labels },
          value: cumulative,
          ...(exemplars?.[i] ? { exemplar: exemplars[i] } : {}),
        });
      }
      values.push({
        metricName: bucketName,
        labels: { le: '+Inf', ...labels },
        value: child.count,
        ...(exemplars?.[this.buckets.length] ? { exemplar: exemplars[this.buckets.length] } : {}),
      });
      values.push({ metricName: `${this.name}_sum`, labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: child.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
