import { INGEST_METRICS } from '../metric-names.js';
import { CounterSeries, LabeledCounter } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

export function createErrorRecorders({ registry, budgets }: RecorderContext): RecorderMap<'error'> {
  const errors = new CounterSeries(
    new LabeledCounter({
      name: INGEST_METRICS.errors,
      help: 'Application errors reported through the ingest API, by type, component and level.',
      labelNames: ['error_type', 'component', 'level'],
      registry,
    }),
  );
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
