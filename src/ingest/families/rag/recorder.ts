import { labeledCounter, labeledHistogram } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { successOrError } from '../schema-fields.js';
import { CounterSeries, HistogramSeries, varying } from '../series.js';
import { RAG_METRICS } from './metrics.js';

export function createRagRecorders({ registry, budgets }: RecorderContext): RecorderMap<'rag.pipeline'> {
  const duration = new HistogramSeries(
    labeledHistogram(registry, RAG_METRICS.duration),
    varying(1, successOrError),
  );
  const stageDuration = new HistogramSeries(
    labeledHistogram(registry, RAG_METRICS.stageDuration),
    varying(2, successOrError),
  );
  const documents = new HistogramSeries(labeledHistogram(registry, RAG_METRICS.documents));
  const empty = new CounterSeries(labeledCounter(registry, RAG_METRICS.emptyRetrievals));
  const pipeline = budgets.field('rag.pipeline', 'pipeline');
  const stage = budgets.field('rag.pipeline', 'stage');

  return {
    'rag.pipeline'(e) {
      const p = pipeline.admit(e.pipeline);
      duration.observe([p, e.outcome], e.duration_s);
      if (e.documents_retrieved !== undefined) {
        documents.observe([p], e.documents_retrieved);
        empty.inc([p], e.documents_retrieved === 0 ? 1 : 0);
      }
      if (e.stages !== undefined) {
        for (const s of e.stages) stageDuration.observe([p, stage.admit(s.name), s.outcome], s.duration_s);
      }
    },
  };
}
