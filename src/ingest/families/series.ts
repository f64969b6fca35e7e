import type {
  CounterChild,
  HistogramChild,
  LabeledCounter,
  LabeledHistogram,
} from '../../metrics/labeled-metrics.js';

/**
 * Series of the ingest families, looked up by label values. `siblings` names the label-value
 * tuples that start at 0 together with a new series (the other outcomes of the same operation),
 * so ratios such as errors / total work from the first scrape.
 */
type Siblings = (values: readonly string[]) => ReadonlyArray<readonly string[]>;

/** A family that hands out children by label values (labeled-metrics.ts). */
interface Family<Child> {
  child(values: readonly string[]): Child;
  readonly size: number;
}

class FamilySeries<Child> {
  constructor(
    private readonly family: Family<Child>,
    private readonly siblings?: Siblings,
  ) {}

  /** The child for `values`, created at 0 (with its siblings) on first use. */
  get(values: readonly string[]): Child {
    const before = this.family.size;
    const child = this.family.child(values);
    if (this.siblings !== undefined && this.family.size !== before) {
      for (const sibling of this.siblings(values)) this.family.child(sibling);
    }
    return child;
  }
}

export class CounterSeries extends FamilySeries<CounterChild> {
  constructor(family: LabeledCounter, siblings?: Siblings) {
    super(family, siblings);
  }

  inc(values: readonly string[], by = 1): void {
    this.get(values).inc(by);
  }
}

export class HistogramSeries extends FamilySeries<HistogramChild> {
  constructor(family: LabeledHistogram, siblings?: Siblings) {
    super(family, siblings);
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
