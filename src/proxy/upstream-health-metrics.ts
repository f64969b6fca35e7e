import { declareMetrics } from '../metrics/declaration.js';

/** Recorded by upstream-health.ts after each background probe. */
export const UPSTREAM_HEALTH_METRICS = declareMetrics({
  up: {
    name: 'sidecar_upstream_up',
    type: 'gauge',
    help: 'Whether the last health probe found the backend up: UPSTREAM_HEALTH_PATH answered 2xx or 3xx, or, without it, UPSTREAM_URL answered below 500.',
    labelNames: [],
  },
});
