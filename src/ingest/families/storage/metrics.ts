import { BODY_SIZE_BUCKETS } from '../../../metrics/buckets.js';
import { declareMetrics } from '../../../metrics/declaration.js';

/** `storage.operation`. */
export const STORAGE_METRICS = declareMetrics({
  duration: {
    name: 'app_storage_operation_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of object-storage operations; its _count by outcome is the operation counter.',
    labelNames: ['operation', 'backend', 'outcome'],
    // 5 ms (local disk) to 5 min (large uploads).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  },
  size: {
    name: 'app_storage_object_size_bytes',
    type: 'histogram',
    unit: 'bytes',
    help: 'Bytes transferred per object-storage operation; its _sum is the traffic.',
    labelNames: ['operation', 'backend'],
    buckets: BODY_SIZE_BUCKETS,
  },
});
