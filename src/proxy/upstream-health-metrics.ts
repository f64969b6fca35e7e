import { declareMetrics } from '../metrics/declaration.js';

/** Recorded by upstream-health.ts after each background probe. */
export const UPSTREAM_HEALTH_METRICS = declareMetrics({
  up: {
    name: 'sidecar_upstream_up',
    type: 'gauge',
    help: 'Whether the backend answered its health probe (UPSTREAM_HEALTH_PATH) with 2xx or 3xx the last time it was probed.',
    labelNames: [],
  },
});
