import { declareMetrics } from '../../../metrics/declaration.js';

/** `cache.operation`. */
export const CACHE_METRICS = declareMetrics({
  operations: {
    name: 'app_cache_operations_total',
    type: 'counter',
    help: 'Cache operations by result (hit, miss, ok, error).',
    labelNames: ['cache', 'operation', 'result'],
  },
  duration: {
    name: 'app_cache_operation_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of cache operations.',
    labelNames: ['cache', 'operation'],
    // Round trips from 100 µs (in-process, Redis on localhost) to 1 s.
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  },
});
