import { DOCUMENT_DURATION_BUCKETS, PAGE_COUNT_BUCKETS } from '../../metrics/buckets.js';
import { successOrError } from '../catalog/common.js';
import { INGEST_METRICS } from '../metric-names.js';
import { HistogramSeries, LabeledHistogram, varying } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

export function createDocumentRecorders({
  registry,
  budgets,
}: RecorderContext): RecorderMap<'document.processing'> {
  const durationLabels = ['document_type', 'stage', 'outcome'];
  const duration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.documentDuration,
      help: 'Duration of document processing stages; its _count by outcome counts processed documents.',
      labelNames: durationLabels,
      buckets: [...DOCUMENT_DURATION_BUCKETS],
      registry,
    }),
    varying(2, successOrError),
  );
  const pages = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.documentPages,
      help: 'Pages per processed document.',
      labelNames: ['document_type', 'stage'],
      buckets: [...PAGE_COUNT_BUCKETS],
      registry,
    }),
  );
  const documentType = budgets.field('document.processing', 'document_type');
  const stage = budgets.field('document.processing', 'stage');

  return {
    'document.processing'(e) {
      const t = documentType.admit(e.document_type);
      const s = stage.admit(e.stage);
      duration.observe([t, s, e.outcome], e.duration_s);
      if (e.pages !== undefined) pages.observe([t, s], e.pages);
    },
  };
}
