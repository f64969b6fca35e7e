import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CounterDeclaration, GaugeDeclaration, HistogramDeclaration } from './declaration.js';
import { LabeledCounter, LabeledGauge, LabeledHistogram } from './labeled-metrics.js';

/**
 * Metric objects made from a declaration, on the Registry passed in: nothing registers itself on
 * import. Hot paths take the labeled metrics (a child looked up once, then plain arithmetic);
 * families filled at scrape time by `collect`, or updated rarely by label object, take prom-client's.
 */

export function labeledCounter(registry: Registry, declaration: CounterDeclaration): LabeledCounter {
  const { name, help, labelNames } = declaration;
  return new LabeledCounter({ name, help, labelNames, registry });
}

export function labeledGauge(registry: Registry, declaration: GaugeDeclaration): LabeledGauge {
  const { name, help, labelNames } = declaration;
  return new LabeledGauge({ name, help, labelNames, registry });
}

export function labeledHistogram(registry: Registry, declaration: HistogramDeclaration): LabeledHistogram {
  const { name, help, labelNames, buckets } = declaration;
  return new LabeledHistogram({ name, help, labelNames, buckets, registry });
}

/** Fills the family at each scrape; `this` is the metric. */
type Collect<M> = (this: M) => void;

export function promCounter(
  registry: Registry,
  declaration: CounterDeclaration,
  collect?: Collect<Counter>,
): Counter {
  const { name, help, labelNames } = declaration;
  return new Counter({ name, help, labelNames: [...labelNames], registers: [registry], collect });
}

export function promGauge(
  registry: Registry,
  declaration: GaugeDeclaration,
  collect?: Collect<Gauge>,
): Gauge {
  const { name, help, labelNames } = declaration;
  return new Gauge({ name, help, labelNames: [...labelNames], registers: [registry], collect });
}

export function promHistogram(registry: Registry, declaration: HistogramDeclaration): Histogram {
  const { name, help, labelNames, buckets } = declaration;
  return new Histogram({
    name,
    help,
    labelNames: [...labelNames],
    buckets: [...buckets],
    registers: [registry],
  });
}
