import { BUILD_INFO_METRICS } from './build-info.js';
import { HTTP_METRICS } from './http-metrics/metrics.js';
import { INGEST_METRIC_DECLARATIONS } from './ingest/metric-declarations.js';
import { listOf, type MetricDeclaration } from './metrics/declaration.js';
import { OTLP_METRICS } from './otlp/otlp-metrics.js';
import { UPSTREAM_HEALTH_METRICS } from './proxy/upstream-health-metrics.js';
import { OPENAPI_METRICS } from './routes/openapi/metrics.js';
import { SENTRY_METRICS } from './sentry/metrics.js';
import { SYSTEM_METRIC_DECLARATIONS } from './system/metric-declarations.js';

/**
 * Every metric family the sidecar declares, assembled from the lists its subsystems keep beside
 * the code that records them; prom-client's default process and Node.js metrics are not among
 * them. docs/METRICS.md is held against this list by test/unit/metric-declarations.test.ts.
 */
export const METRIC_DECLARATIONS: readonly MetricDeclaration[] = Object.freeze([
  ...listOf(HTTP_METRICS, UPSTREAM_HEALTH_METRICS, BUILD_INFO_METRICS, OPENAPI_METRICS),
  ...INGEST_METRIC_DECLARATIONS,
  ...listOf(OTLP_METRICS),
  ...listOf(SENTRY_METRICS),
  ...SYSTEM_METRIC_DECLARATIONS,
]);
