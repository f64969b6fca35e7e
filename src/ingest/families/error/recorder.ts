import { labeledCounter } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { CounterSeries } from '../series.js';
import { ERROR_METRICS } from './metrics.js';

export function createErrorRecorders({ registry, budgets }: RecorderContext): RecorderMap<'error'> {
  const errors = new CounterSeries(labeledCounter(registry, ERROR_METRICS.errors));
  const errorType = budgets.field('error', 'error_type');
  const component = budgets.field('error', 'component');

  return {
    error(e) {
      errors.inc([
        errorType.admit(e.error_type),
        e.component === undefined ? '' : component.admit(e.component),
        e.level,
      ]);
    },
  };
}
