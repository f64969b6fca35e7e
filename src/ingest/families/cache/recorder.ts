import { labeledCounter, labeledHistogram } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { CounterSeries, HistogramSeries } from '../series.js';
import { CACHE_METRICS } from './metrics.js';
import { type CACHE_OPERATIONS, CACHE_RESULTS_BY_OPERATION } from './schema.js';

export function createCacheRecorders({ registry, budgets }: RecorderContext): RecorderMap<'cache.operation'> {
  const operations = new CounterSeries(
    labeledCounter(registry, CACHE_METRICS.operations),
    // A new (cache, operation) starts every result its operation can have at 0: hit ratios work at once.
    ([cache, op]) =>
      CACHE_RESULTS_BY_OPERATION[op as (typeof CACHE_OPERATIONS)[number]].map((result) => [
        cache!,
        op!,
        result,
      ]),
  );
  const duration = new HistogramSeries(labeledHistogram(registry, CACHE_METRICS.duration));
  const cache = budgets.field('cache.operation', 'cache');

  return {
    'cache.operation'(e) {
      const c = cache.admit(e.cache);
      operations.inc([c, e.operation, e.result]);
      if (e.duration_s !== undefined) duration.observe([c, e.operation], e.duration_s);
    },
  };
}
