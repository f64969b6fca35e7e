import { declareMetrics } from '../../../metrics/declaration.js';

/** `auth.attempt`: enum labels only, never a user. */
export const AUTH_METRICS = declareMetrics({
  attempts: {
    name: 'app_auth_attempts_total',
    type: 'counter',
    help: 'Authentication attempts by method and outcome; reason is empty on success.',
    labelNames: ['method', 'outcome', 'reason'],
  },
});
