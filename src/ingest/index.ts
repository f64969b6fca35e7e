export type {
  AuthAttemptEvent,
  CacheOperationEvent,
  ChatMessageEvent,
  DbPoolEvent,
  DbQueryEvent,
  DocumentProcessingEvent,
  DocumentUploadEvent,
  ErrorEvent,
  EventInput,
  EventType,
  LlmRequestEvent,
  RagPipelineEvent,
  SpeechRequestEvent,
  StorageOperationEvent,
  TransactionEvent,
  ValidEvent,
  VoiceInteractionEvent,
} from './catalog.js';
export { EVENT_TYPES } from './catalog.js';
export { createIngest, type Ingest, type IngestDeps } from './create-ingest.js';
export type { AppErrorReport, AppErrorSink } from './error-sink.js';
export { createLoggingErrorSink } from './error-sink.js';
export { INGEST_METRIC_DECLARATIONS } from './metric-declarations.js';
