import { AUTH_FAILURE_REASONS, AUTH_METHODS } from '../catalog/auth.js';
import { INGEST_METRICS } from '../metric-names.js';
import { CounterSeries, LabeledCounter } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

export function createAuthRecorders({ registry }: RecorderContext): RecorderMap<'auth.attempt'> {
  const attempts = new CounterSeries(
    new LabeledCounter({
      name: INGEST_METRICS.authAttempts,
      help: 'Authentication attempts by method and outcome; reason is empty on success.',
      labelNames: ['method', 'outcome', 'reason'],
      registry,
    }),
  );
  // Every label is an enum, so every series exists from the start.
  for (const method of AUTH_METHODS) {
    attempts.get([method, 'success', '']);
    for (const reason of AUTH_FAILURE_REASONS) attempts.get([method, 'failure', reason]);
  }

  return {
    'auth.attempt'(e) {
      attempts.inc([e.method, e.outcome, e.outcome === 'success' ? '' : (e.reason ?? 'other')]);
    },
  };
}
