/**
 * One metric family, declared once beside the code that records it: everything Prometheus and a
 * reader of docs/METRICS.md need to know about it, and nothing about how it is recorded. The
 * shape of an OpenTelemetry collector receiver's `metadata.yaml` entry, in Prometheus terms.
 * test/unit/metric-declarations.test.ts holds docs/METRICS.md against every declaration.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * The OpenMetrics unit: the base unit a family's name ends with (before `_total` on a counter).
 * Families counted in something else (rows, tokens, CPUs) have none, as their names carry none.
 */
export type MetricUnit = 'seconds' | 'bytes' | 'ratio';

interface Declared<T extends MetricType> {
  readonly name: string;
  readonly type: T;
  /** The `# HELP` text, exactly as exported. */
  readonly help: string;
  readonly unit?: MetricUnit;
  /** In the order the recorder passes label values. */
  readonly labelNames: readonly string[];
}

export type CounterDeclaration = Declared<'counter'>;
export type GaugeDeclaration = Declared<'gauge'>;
export interface HistogramDeclaration extends Declared<'histogram'> {
  /** Upper bounds in ascending order, `+Inf` implied. */
  readonly buckets: readonly number[];
}

export type MetricDeclaration = CounterDeclaration | GaugeDeclaration | HistogramDeclaration;

/**
 * A module's declarations, keyed by what the recorder calls them, frozen so that no recorder can
 * change a name, a label or a bucket after the fact.
 */
export function declareMetrics<const T extends Readonly<Record<string, MetricDeclaration>>>(
  declarations: T,
): T {
  for (const declaration of Object.values(declarations)) {
    Object.freeze(declaration.labelNames);
    if (declaration.type === 'histogram') Object.freeze(declaration.buckets);
    Object.freeze(declaration);
  }
  return Object.freeze(declarations);
}

/** The declarations of one or more modules' records, in order, as one list. */
export function listOf(
  ...records: ReadonlyArray<Readonly<Record<string, MetricDeclaration>>>
): readonly MetricDeclaration[] {
  return Object.freeze(records.flatMap((record) => Object.values(record)));
}
