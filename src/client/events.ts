import type {
  AuthAttemptEvent,
  CacheOperationEvent,
  ChatMessageEvent,
  DbPoolEvent,
  DbQueryEvent,
  DocumentProcessingEvent,
  DocumentUploadEvent,
  ErrorEvent,
  EventInput,
  LlmRequestEvent,
  RagPipelineEvent,
  SpeechRequestEvent,
  StorageOperationEvent,
  TransactionEvent,
  VoiceInteractionEvent,
} from '../ingest/index.js';
import { exceptionChain } from './exception.js';

/**
 * Typed builders for every event of the catalog. The types come from the same definitions the
 * sidecar validates with (type-only imports: nothing of the sidecar is loaded at run time).
 */

export type {
  AuthAttemptEvent,
  CacheOperationEvent,
  ChatMessageEvent,
  DbPoolEvent,
  DbQueryEvent,
  DocumentProcessingEvent,
  DocumentUploadEvent,
  ErrorEvent,
  LlmRequestEvent,
  RagPipelineEvent,
  SpeechRequestEvent,
  StorageOperationEvent,
  TransactionEvent,
  VoiceInteractionEvent,
};

/** Any event of the catalog: the same union the sidecar validates against. */
export type SidecarEvent = EventInput;

type Fields<E extends { type: string }> = Omit<E, 'type'>;

export const events = Object.freeze({
  dbQuery: (f: Fields<DbQueryEvent>): DbQueryEvent => ({ type: 'db.query', ...f }),
  dbPool: (f: Fields<DbPoolEvent>): DbPoolEvent => ({ type: 'db.pool', ...f }),
  cacheOperation: (f: Fields<CacheOperationEvent>): CacheOperationEvent => ({
    type: 'cache.operation',
    ...f,
  }),
  storageOperation: (f: Fields<StorageOperationEvent>): StorageOperationEvent => ({
    type: 'storage.operation',
    ...f,
  }),
  speechRequest: (f: Fields<SpeechRequestEvent>): SpeechRequestEvent => ({ type: 'speech.request', ...f }),
  llmRequest: (f: Fields<LlmRequestEvent>): LlmRequestEvent => ({ type: 'llm.request', ...f }),
  ragPipeline: (f: Fields<RagPipelineEvent>): RagPipelineEvent => ({ type: 'rag.pipeline', ...f }),
  documentProcessing: (f: Fields<DocumentProcessingEvent>): DocumentProcessingEvent => ({
    type: 'document.processing',
    ...f,
  }),
  authAttempt: (f: Fields<AuthAttemptEvent>): AuthAttemptEvent => ({ type: 'auth.attempt', ...f }),
  chatMessage: (f: Fields<ChatMessageEvent> = {}): ChatMessageEvent => ({ type: 'chat.message', ...f }),
  voiceInteraction: (f: Fields<VoiceInteractionEvent> = {}): VoiceInteractionEvent => ({
    type: 'voice.interaction',
    ...f,
  }),
  documentUpload: (f: Fields<DocumentUploadEvent>): DocumentUploadEvent => ({
    type: 'document.upload',
    ...f,
  }),
  transaction: (f: Fields<TransactionEvent>): TransactionEvent => ({ type: 'transaction', ...f }),
  error: (f: Fields<ErrorEvent>): ErrorEvent => ({ type: 'error', ...f }),
});

const LABEL_UNSAFE = /[^A-Za-z0-9_.:/@+-]/g;

/** An error event from a thrown value: its class name as error_type, its message and stack. */
export function errorEvent(
  error: unknown,
  extra: Omit<Fields<ErrorEvent>, 'message' | 'error_type'> & { error_type?: string } = {},
): ErrorEvent {
  const isError = error instanceof Error;
  const name = isError ? error.name || error.constructor.name : typeof error;
  const message = (isError ? error.message : String(error)).slice(0, 8192) || name;
  return {
    ...(isError && error.stack ? { stack: error.stack.slice(0, 65_536) } : {}),
    exception: exceptionChain(error),
    ...extra,
    type: 'error',
    message,
    error_type: (extra.error_type ?? name).replace(LABEL_UNSAFE, '_').slice(0, 100) || 'Error',
  };
}
