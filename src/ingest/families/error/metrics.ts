import { declareMetrics } from '../../../metrics/declaration.js';

/** `error`: counted here, forwarded to error tracking by the pipeline. */
export const ERROR_METRICS = declareMetrics({
  errors: {
    name: 'app_errors_total',
    type: 'counter',
    help: 'Application errors reported through the ingest API, by type, component and level.',
    labelNames: ['error_type', 'component', 'level'],
  },
});
