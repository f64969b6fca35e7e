import {
  type CounterChild,
  type HistogramChild,
  LabeledCounter,
  LabeledHistogram,
} from '../../metrics/labeled-metrics.js';

/**
 * Series of the ingest families, looked up by label values. `siblings` names the label-value
 * tuples that start at 0 together with a new series (the other outcomes of the same operation),
 * so ratios such as errors / total work from the first scrape.
 */
type Siblings = (values: readonly string[]) => ReadonlyArray<readonly string[]>;

export class CounterSeries {
  constructor(
    readonly family: LabeledCounter,
    private readonly siblings?: Siblings,
  ) {}

  /** The child for `values`, created at 0 (with its siblings) on first use. */
  get(values: readonly string[]): CounterChild {
    const before = this.family.size;
    const child = this.family.child(values);
    if (this.siblings !== undefined && this.family.size !== before) {
      for (const sibling of this.siblings(values)) this.family.child(sibling);
    }
    return child;
  }

  inc(values: readonly string[], by = 1): void {
    this.get(values).inc(by);
  }
}

export class HistogramSeries {
  constructor(
    readonly family: LabeledHistogram,
    private readonly siblings?: Siblings,
  ) {}

  get(values: readonly string[]): HistogramChild {
    const before = this.family.size;
    const child = this.family.child(values);
    if (this.siblings !== undefined && this.family.size !== before) {
      for (const sibling of this.siblings(values)) this.family.child(sibling);
    }
    return child;
  }

  observe(values: readonly string[], value: number): void {
    this.get(values).observe(value);
  }
}

/** Siblings that differ from `values` only at `index`, taking every value in `all`. */
export function varying(index: number, all: readonly string[]): Siblings {
  return (values) =>
    all.map((value) => {
      const sibling = values.slice();
      sibling[index] = value;
      return sibling;
    });
}

export { LabeledCounter, LabeledHistogram };
