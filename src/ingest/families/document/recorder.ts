import { labeledHistogram } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { successOrError } from '../schema-fields.js';
import { HistogramSeries, varying } from '../series.js';
import { DOCUMENT_METRICS } from './metrics.js';

export function createDocumentRecorders({
  registry,
  budgets,
}: RecorderContext): RecorderMap<'document.processing'> {
  const duration = new HistogramSeries(
    labeledHistogram(registry, DOCUMENT_METRICS.duration),
    varying(2, successOrError),
  );
  const pages = new HistogramSeries(labeledHistogram(registry, DOCUMENT_METRICS.pages));
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
