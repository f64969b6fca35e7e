import { GENAI_DURATION_BUCKETS, RETRIEVED_DOCUMENTS_BUCKETS } from '../../metrics/buckets.js';
import { successOrError } from '../catalog/common.js';
import { INGEST_METRICS } from '../metric-names.js';
import { CounterSeries, HistogramSeries, LabeledCounter, LabeledHistogram, varying } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

export function createRagRecorders({ registry, budgets }: RecorderContext): RecorderMap<'rag.pipeline'> {
  const duration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.ragDuration,
      help: 'Duration of retrieval-augmented generation pipelines; its _count by outcome counts runs.',
      labelNames: ['pipeline', 'outcome'],
      buckets: [...GENAI_DURATION_BUCKETS],
      registry,
    }),
    varying(1, successOrError),
  );
  const stageLabels = ['pipeline', 'stage', 'outcome'];
  const stageDuration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.ragStageDuration,
      help: 'Duration of each stage of a retrieval-augmented generation pipeline.',
      labelNames: stageLabels,
      buckets: [...GENAI_DURATION_BUCKETS],
      registry,
    }),
    varying(2, successOrError),
  );
  const documents = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.ragDocuments,
      help: 'Documents returned by the retrieval step of each pipeline run.',
      labelNames: ['pipeline'],
      buckets: [...RETRIEVED_DOCUMENTS_BUCKETS],
      registry,
    }),
  );
  const empty = new CounterSeries(
    new LabeledCounter({
      name: INGEST_METRICS.ragEmptyRetrievals,
      help: 'Pipeline runs whose retrieval returned no document.',
      labelNames: ['pipeline'],
      registry,
    }),
  );
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
