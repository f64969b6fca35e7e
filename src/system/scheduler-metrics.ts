import { declareMetrics } from '../metrics/declaration.js';

/** The collectors themselves, recorded by scheduler.ts for every background collector that is on. */
export const COLLECTOR_METRICS = declareMetrics({
  errors: {
    name: 'sidecar_collector_errors_total',
    type: 'counter',
    help: 'System-metric collector runs that failed, timed out, or could not start because the previous run was still stuck.',
    labelNames: ['collector'],
  },
  duration: {
    name: 'sidecar_collector_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'How long the last run of each system-metric collector took (up to its timeout).',
    labelNames: ['collector'],
  },
  lastSuccess: {
    name: 'sidecar_collector_last_success_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time of the last successful run of each system-metric collector.',
    labelNames: ['collector'],
  },
});
