import { labeledHistogram } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { successOrError } from '../schema-fields.js';
import { HistogramSeries, varying } from '../series.js';
import { STORAGE_METRICS } from './metrics.js';

export function createStorageRecorders({
  registry,
  budgets,
}: RecorderContext): RecorderMap<'storage.operation'> {
  const duration = new HistogramSeries(
    labeledHistogram(registry, STORAGE_METRICS.duration),
    varying(2, successOrError),
  );
  const size = new HistogramSeries(labeledHistogram(registry, STORAGE_METRICS.size));
  const backend = budgets.field('storage.operation', 'backend');

  return {
    'storage.operation'(e) {
      const b = backend.admit(e.backend);
      duration.observe([e.operation, b, e.outcome], e.duration_s);
      if (e.bytes !== undefined) size.observe([e.operation, b], e.bytes);
    },
  };
}
