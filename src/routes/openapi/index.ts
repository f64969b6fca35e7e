export { LOAD_OUTCOMES, type LoadOutcome, OPENAPI_METRICS, OpenApiMetrics } from './metrics.js';
export { createOpenApiSource, type OpenApiSource, type OpenApiSourceDeps, RETRY } from './source.js';
