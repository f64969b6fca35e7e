import { CACHE_DURATION_BUCKETS } from '../../metrics/buckets.js';
import { type CACHE_OPERATIONS, CACHE_RESULTS_BY_OPERATION } from '../catalog/cache.js';
import { INGEST_METRICS } from '../metric-names.js';
import { CounterSeries, HistogramSeries, LabeledCounter, LabeledHistogram } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

export function createCacheRecorders({ registry, budgets }: RecorderContext): RecorderMap<'cache.operation'> {
  const operations = new CounterSeries(
    new LabeledCounter({
      name: INGEST_METRICS.cacheOperations,
      help: 'Cache operations by result (hit, miss, ok, error).',
      labelNames: ['cache', 'operation', 'result'],
      registry,
    }),
    // A new (cache, operation) starts every result its operation can have at 0: hit ratios work at once.
    ([cache, op]) =>
      CACHE_RESULTS_BY_OPERATION[op as (typeof CACHE_OPERATIONS)[number]].map((result) => [
        cache!,
        op!,
        result,
      ]),
  );
  const duration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.cacheDuration,
      help: 'Duration of cache operations.',
      labelNames: ['cache', 'operation'],
      buckets: [...CACHE_DURATION_BUCKETS],
      registry,
    }),
  );
  const cache = budgets.field('cache.operation', 'cache');

  return {
    'cache.operation'(e) {
      const c = cache.admit(e.cache);
      operations.inc([c, e.operation, e.result]);
      if (e.duration_s !== undefined) duration.observe([c, e.operation], e.duration_s);
    },
  };
}
