import { collectDefaultMetrics, type OpenMetricsContentType, Registry } from 'prom-client';

/**
 * A fresh Registry for one sidecar instance, with prom-client's process and Node.js runtime
 * metrics (CPU, memory, event-loop delay, GC) on it. Nothing in the sidecar registers on the
 * global registry, so two instances in one process (tests, benchmarks) never collide.
 */
export function createRegistry(): Registry {
  // prom-client accepts exemplars only on an OpenMetrics registry. The content type here is
  // never used for output: exposition.ts renders both formats from the values.
  const registry = new Registry();
  (registry as unknown as Registry<OpenMetricsContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  return registry;
}
