import { labeledCounter } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { CounterSeries } from '../series.js';
import { AUTH_METRICS } from './metrics.js';
import { AUTH_FAILURE_REASONS, AUTH_METHODS } from './schema.js';

export function createAuthRecorders({ registry }: RecorderContext): RecorderMap<'auth.attempt'> {
  const attempts = new CounterSeries(labeledCounter(registry, AUTH_METRICS.attempts));
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
