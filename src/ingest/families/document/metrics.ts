import { declareMetrics } from '../../../metrics/declaration.js';

/** `document.processing`. */
export const DOCUMENT_METRICS = declareMetrics({
  duration: {
    name: 'app_document_processing_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of document processing stages; its _count by outcome counts processed documents.',
    labelNames: ['document_type', 'stage', 'outcome'],
    // Parsing, OCR, chunking, embedding: 100 ms to 30 min.
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
  },
  pages: {
    name: 'app_document_processing_pages',
    type: 'histogram',
    help: 'Pages per processed document.',
    labelNames: ['document_type', 'stage'],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  },
});
