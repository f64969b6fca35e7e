import { GENAI_DURATION_BUCKETS } from '../../../metrics/buckets.js';
import { declareMetrics } from '../../../metrics/declaration.js';

/** `rag.pipeline`. */
export const RAG_METRICS = declareMetrics({
  duration: {
    name: 'app_rag_pipeline_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of retrieval-augmented generation pipelines; its _count by outcome counts runs.',
    labelNames: ['pipeline', 'outcome'],
    buckets: GENAI_DURATION_BUCKETS,
  },
  stageDuration: {
    name: 'app_rag_stage_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of each stage of a retrieval-augmented generation pipeline.',
    labelNames: ['pipeline', 'stage', 'outcome'],
    buckets: GENAI_DURATION_BUCKETS,
  },
  documents: {
    name: 'app_rag_documents_retrieved',
    type: 'histogram',
    help: 'Documents returned by the retrieval step of each pipeline run.',
    labelNames: ['pipeline'],
    // The 0 bucket counts empty retrievals.
    buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200],
  },
  emptyRetrievals: {
    name: 'app_rag_empty_retrievals_total',
    type: 'counter',
    help: 'Pipeline runs whose retrieval returned no document.',
    labelNames: ['pipeline'],
  },
});
