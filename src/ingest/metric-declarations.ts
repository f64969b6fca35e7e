import { listOf } from '../metrics/declaration.js';
import { AUTH_METRICS } from './families/auth/metrics.js';
import { BUSINESS_METRICS } from './families/business/metrics.js';
import { CACHE_METRICS } from './families/cache/metrics.js';
import { DB_METRICS } from './families/db/metrics.js';
import { DOCUMENT_METRICS } from './families/document/metrics.js';
import { ERROR_METRICS } from './families/error/metrics.js';
import { LLM_METRICS } from './families/llm/metrics.js';
import { RAG_METRICS } from './families/rag/metrics.js';
import { SPEECH_METRICS } from './families/speech/metrics.js';
import { STORAGE_METRICS } from './families/storage/metrics.js';
import { INGEST_SELF_METRICS } from './self-metrics.js';

/** Every family the ingest API records: the event families in catalog order, then its own health. */
export const INGEST_METRIC_DECLARATIONS = listOf(
  DB_METRICS,
  CACHE_METRICS,
  STORAGE_METRICS,
  SPEECH_METRICS,
  LLM_METRICS,
  RAG_METRICS,
  DOCUMENT_METRICS,
  AUTH_METRICS,
  BUSINESS_METRICS,
  ERROR_METRICS,
  INGEST_SELF_METRICS,
);
