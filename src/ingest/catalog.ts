import type * as z from 'zod';
import { authAttemptSchema } from './families/auth/schema.js';
import {
  chatMessageSchema,
  documentUploadSchema,
  transactionSchema,
  voiceInteractionSchema,
} from './families/business/schema.js';
import { cacheOperationSchema } from './families/cache/schema.js';
import { dbPoolSchema, dbQuerySchema } from './families/db/schema.js';
import { documentProcessingSchema } from './families/document/schema.js';
import { errorEventSchema } from './families/error/schema.js';
import { llmRequestSchema } from './families/llm/schema.js';
import { ragPipelineSchema } from './families/rag/schema.js';
import { speechRequestSchema } from './families/speech/schema.js';
import { storageOperationSchema } from './families/storage/schema.js';

/**
 * The closed event catalog. Callers choose an event type and its fields; the sidecar owns every
 * metric name, type, label and bucket, so two callers can never disagree about a metric.
 */
export const EVENT_SCHEMAS = {
  'db.query': dbQuerySchema,
  'db.pool': dbPoolSchema,
  'cache.operation': cacheOperationSchema,
  'storage.operation': storageOperationSchema,
  'speech.request': speechRequestSchema,
  'llm.request': llmRequestSchema,
  'rag.pipeline': ragPipelineSchema,
  'document.processing': documentProcessingSchema,
  'auth.attempt': authAttemptSchema,
  'chat.message': chatMessageSchema,
  'voice.interaction': voiceInteractionSchema,
  'document.upload': documentUploadSchema,
  transaction: transactionSchema,
  error: errorEventSchema,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.freeze(Object.keys(EVENT_SCHEMAS) as EventType[]);

/** What a caller sends for each type (defaults not yet applied). */
export type EventInput<T extends EventType = EventType> = T extends EventType
  ? z.input<(typeof EVENT_SCHEMAS)[T]>
  : never;
/** A validated event, defaults applied and label values trimmed. */
export type ValidEvent<T extends EventType = EventType> = T extends EventType
  ? z.output<(typeof EVENT_SCHEMAS)[T]>
  : never;

export type DbQueryEvent = EventInput<'db.query'>;
export type DbPoolEvent = EventInput<'db.pool'>;
export type CacheOperationEvent = EventInput<'cache.operation'>;
export type StorageOperationEvent = EventInput<'storage.operation'>;
export type SpeechRequestEvent = EventInput<'speech.request'>;
export type LlmRequestEvent = EventInput<'llm.request'>;
export type RagPipelineEvent = EventInput<'rag.pipeline'>;
export type DocumentProcessingEvent = EventInput<'document.processing'>;
export type AuthAttemptEvent = EventInput<'auth.attempt'>;
export type ChatMessageEvent = EventInput<'chat.message'>;
export type VoiceInteractionEvent = EventInput<'voice.interaction'>;
export type DocumentUploadEvent = EventInput<'document.upload'>;
export type TransactionEvent = EventInput<'transaction'>;
export type ErrorEvent = EventInput<'error'>;

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_SCHEMAS, value);
}
