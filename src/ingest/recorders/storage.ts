import { BODY_SIZE_BUCKETS, STORAGE_DURATION_BUCKETS } from '../../metrics/buckets.js';
import { successOrError } from '../catalog/common.js';
import { INGEST_METRICS } from '../metric-names.js';
import { HistogramSeries, LabeledHistogram, varying } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

export function createStorageRecorders({
  registry,
  budgets,
}: RecorderContext): RecorderMap<'storage.operation'> {
  const durationLabels = ['operation', 'backend', 'outcome'];
  const duration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.storageDuration,
      help: 'Duration of object-storage operations; its _count by outcome is the operation counter.',
      labelNames: durationLabels,
      buckets: [...STORAGE_DURATION_BUCKETS],
      registry,
    }),
    varying(2, successOrError),
  );
  const size = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.storageSize,
      help: 'Bytes transferred per object-storage operation; its _sum is the traffic.',
      labelNames: ['operation', 'backend'],
      buckets: [...BODY_SIZE_BUCKETS],
      registry,
    }),
  );
  const backend = budgets.field('storage.operation', 'backend');

  return {
    'storage.operation'(e) {
      const b = backend.admit(e.backend);
      duration.observe([e.operation, b, e.outcome], e.duration_s);
      if (e.bytes !== undefined) size.observe([e.operation, b], e.bytes);
    },
  };
}
