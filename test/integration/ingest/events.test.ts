import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_METRICS } from '../../../src/ingest/families/business/metrics.js';
import { CACHE_METRICS } from '../../../src/ingest/families/cache/metrics.js';
import { DB_METRICS } from '../../../src/ingest/families/db/metrics.js';
import { DOCUMENT_METRICS } from '../../../src/ingest/families/document/metrics.js';
import { LLM_METRICS } from '../../../src/ingest/families/llm/metrics.js';
import { RAG_METRICS } from '../../../src/ingest/families/rag/metrics.js';
import { SPEECH_METRICS } from '../../../src/ingest/families/speech/metrics.js';
import { STORAGE_METRICS } from '../../../src/ingest/families/storage/metrics.js';
import { BODY_SIZE_BUCKETS, GENAI_DURATION_BUCKETS } from '../../../src/metrics/buckets.js';
import { applicationSnapshot, changes, postEvents, sampleKey } from '../../helpers/ingest.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../../helpers/sidecar.js';

type Expected = Record<string, number>;
type Labels = Record<string, string>;

const key = (name: string, labels: Labels) => sampleKey({ name, labels, value: 0 });

function value(name: string, labels: Labels, v: number): Expected {
  return { [key(name, labels)]: v };
}

/** The samples one observation adds to a histogram: every bucket at or above it, +Inf, _sum, _count. */
function observation(name: string, labels: Labels, v: number, buckets: readonly number[]): Expected {
  const out: Expected = {};
  for (const bound of buckets)
    if (v <= bound) out[key(`${name}_bucket`, { ...labels, le: String(bound) })] = 1;
  out[key(`${name}_bucket`, { ...labels, le: '+Inf' })] = 1;
  if (v !== 0) out[key(`${name}_sum`, labels)] = v;
  out[key(`${name}_count`, labels)] = 1;
  return out;
}

interface Case {
  name: string;
  events: unknown[];
  expected: Expected;
}

const cases: Case[] = [
  {
    name: 'db.query with rows',
    events: [
      {
        type: 'db.query',
        system: 'postgresql',
        operation: 'SELECT',
        collection: 'users',
        duration_s: 0.012,
        rows: 3,
      },
    ],
    expected: {
      ...observation(
        'db_client_operation_duration_seconds',
        {
          db_system_name: 'postgresql',
          db_operation_name: 'SELECT',
          db_collection_name: 'users',
          error_type: '',
        },
        0.012,
        DB_METRICS.operationDuration.buckets,
      ),
      ...observation(
        'db_client_response_returned_rows',
        { db_system_name: 'postgresql', db_operation_name: 'SELECT', db_collection_name: 'users' },
        3,
        DB_METRICS.returnedRows.buckets,
      ),
    },
  },
  {
    name: 'db.query that failed, label values trimmed',
    events: [
      {
        type: 'db.query',
        system: ' mysql ',
        operation: 'INSERT',
        duration_s: 2,
        error_type: 'IntegrityError',
      },
    ],
    expected: observation(
      'db_client_operation_duration_seconds',
      {
        db_system_name: 'mysql',
        db_operation_name: 'INSERT',
        db_collection_name: '',
        error_type: 'IntegrityError',
      },
      2,
      DB_METRICS.operationDuration.buckets,
    ),
  },
  {
    name: 'db.pool',
    events: [{ type: 'db.pool', pool: 'main', used: 3, idle: 7, max: 20, pending: 1, timeouts: 2 }],
    expected: {
      ...value(
        'db_client_connection_count',
        { db_client_connection_pool_name: 'main', db_client_connection_state: 'used' },
        3,
      ),
      ...value(
        'db_client_connection_count',
        { db_client_connection_pool_name: 'main', db_client_connection_state: 'idle' },
        7,
      ),
      ...value('db_client_connection_max', { db_client_connection_pool_name: 'main' }, 20),
      ...value('db_client_connection_pending_requests', { db_client_connection_pool_name: 'main' }, 1),
      ...value('db_client_connection_timeouts_total', { db_client_connection_pool_name: 'main' }, 2),
    },
  },
  {
    name: 'cache.operation',
    events: [
      { type: 'cache.operation', cache: 'redis', operation: 'get', result: 'hit', duration_s: 0.0004 },
    ],
    expected: {
      ...value('app_cache_operations_total', { cache: 'redis', operation: 'get', result: 'hit' }, 1),
      ...observation(
        'app_cache_operation_duration_seconds',
        { cache: 'redis', operation: 'get' },
        0.0004,
        CACHE_METRICS.duration.buckets,
      ),
    },
  },
  {
    name: 'storage.operation',
    events: [
      {
        type: 'storage.operation',
        operation: 'upload',
        backend: 's3',
        outcome: 'success',
        bytes: 2_500_000,
        duration_s: 1.5,
      },
    ],
    expected: {
      ...observation(
        'app_storage_operation_duration_seconds',
        { operation: 'upload', backend: 's3', outcome: 'success' },
        1.5,
        STORAGE_METRICS.duration.buckets,
      ),
      ...observation(
        'app_storage_object_size_bytes',
        { operation: 'upload', backend: 's3' },
        2_500_000,
        BODY_SIZE_BUCKETS,
      ),
    },
  },
  {
    name: 'speech.request with two fallbacks',
    events: [
      {
        type: 'speech.request',
        operation: 'speech_to_text',
        provider: 'google',
        outcome: 'success',
        duration_s: 3.2,
        audio_s: 12,
        providers_attempted: ['whisper', 'deepgram', 'google'],
      },
    ],
    expected: {
      ...observation(
        'app_speech_request_duration_seconds',
        { operation: 'speech_to_text', provider: 'google', outcome: 'success' },
        3.2,
        SPEECH_METRICS.duration.buckets,
      ),
      ...observation(
        'app_speech_audio_duration_seconds',
        { operation: 'speech_to_text', provider: 'google' },
        12,
        SPEECH_METRICS.audio.buckets,
      ),
      ...value(
        'app_speech_provider_fallbacks_total',
        { operation: 'speech_to_text', from_provider: 'whisper', to_provider: 'deepgram' },
        1,
      ),
      ...value(
        'app_speech_provider_fallbacks_total',
        { operation: 'speech_to_text', from_provider: 'deepgram', to_provider: 'google' },
        1,
      ),
    },
  },
  {
    name: 'llm.request (streamed)',
    events: [
      {
        type: 'llm.request',
        provider: 'openai',
        model: 'gpt-4o',
        input_tokens: 812,
        output_tokens: 240,
        duration_s: 2.4,
        time_to_first_chunk_s: 0.35,
      },
    ],
    expected: (() => {
      const genai = {
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: 'gpt-4o',
      };
      return {
        ...observation(
          'gen_ai_client_operation_duration_seconds',
          { ...genai, error_type: '' },
          2.4,
          GENAI_DURATION_BUCKETS,
        ),
        ...observation(
          'gen_ai_client_token_usage',
          { ...genai, gen_ai_token_type: 'input' },
          812,
          LLM_METRICS.tokens.buckets,
        ),
        ...observation(
          'gen_ai_client_token_usage',
          { ...genai, gen_ai_token_type: 'output' },
          240,
          LLM_METRICS.tokens.buckets,
        ),
        ...observation(
          'gen_ai_client_operation_time_to_first_chunk_seconds',
          genai,
          0.35,
          LLM_METRICS.firstChunk.buckets,
        ),
      };
    })(),
  },
  {
    name: 'rag.pipeline with an empty retrieval',
    events: [
      {
        type: 'rag.pipeline',
        pipeline: 'support',
        outcome: 'success',
        duration_s: 3.1,
        documents_retrieved: 0,
        stages: [
          { name: 'retrieve', duration_s: 0.2 },
          { name: 'generate', duration_s: 2.8, outcome: 'success' },
        ],
      },
    ],
    expected: {
      ...observation(
        'app_rag_pipeline_duration_seconds',
        { pipeline: 'support', outcome: 'success' },
        3.1,
        GENAI_DURATION_BUCKETS,
      ),
      ...observation(
        'app_rag_documents_retrieved',
        { pipeline: 'support' },
        0,
        RAG_METRICS.documents.buckets,
      ),
      ...value('app_rag_empty_retrievals_total', { pipeline: 'support' }, 1),
      ...observation(
        'app_rag_stage_duration_seconds',
        { pipeline: 'support', stage: 'retrieve', outcome: 'success' },
        0.2,
        GENAI_DURATION_BUCKETS,
      ),
      ...observation(
        'app_rag_stage_duration_seconds',
        { pipeline: 'support', stage: 'generate', outcome: 'success' },
        2.8,
        GENAI_DURATION_BUCKETS,
      ),
    },
  },
  {
    name: 'document.processing',
    events: [
      {
        type: 'document.processing',
        document_type: 'pdf',
        stage: 'ocr',
        outcome: 'success',
        pages: 12,
        duration_s: 8.5,
      },
    ],
    expected: {
      ...observation(
        'app_document_processing_duration_seconds',
        { document_type: 'pdf', stage: 'ocr', outcome: 'success' },
        8.5,
        DOCUMENT_METRICS.duration.buckets,
      ),
      ...observation(
        'app_document_processing_pages',
        { document_type: 'pdf', stage: 'ocr' },
        12,
        DOCUMENT_METRICS.pages.buckets,
      ),
    },
  },
  {
    name: 'auth.attempt, with and without a reason',
    events: [
      { type: 'auth.attempt', method: 'password', outcome: 'failure', reason: 'invalid_credentials' },
      { type: 'auth.attempt', method: 'oauth', outcome: 'failure' },
      { type: 'auth.attempt', method: 'passkey', outcome: 'success' },
    ],
    expected: {
      ...value(
        'app_auth_attempts_total',
        { method: 'password', outcome: 'failure', reason: 'invalid_credentials' },
        1,
      ),
      ...value('app_auth_attempts_total', { method: 'oauth', outcome: 'failure', reason: 'other' }, 1),
      ...value('app_auth_attempts_total', { method: 'passkey', outcome: 'success', reason: '' }, 1),
    },
  },
  {
    name: 'chat.message with defaults',
    events: [
      { type: 'chat.message', channel: 'web' },
      { type: 'chat.message', role: 'assistant', channel: 'web' },
    ],
    expected: {
      ...value('app_chat_messages_total', { role: 'user', channel: 'web', outcome: 'success' }, 1),
      ...value('app_chat_messages_total', { role: 'assistant', channel: 'web', outcome: 'success' }, 1),
    },
  },
  {
    name: 'voice.interaction',
    events: [{ type: 'voice.interaction', kind: 'question', channel: 'ios', duration_s: 6 }],
    expected: {
      ...value('app_voice_interactions_total', { kind: 'question', channel: 'ios', outcome: 'success' }, 1),
      ...observation(
        'app_voice_interaction_duration_seconds',
        { kind: 'question', channel: 'ios' },
        6,
        BUSINESS_METRICS.voiceDuration.buckets,
      ),
    },
  },
  {
    name: 'document.upload',
    events: [{ type: 'document.upload', document_type: 'docx', channel: 'web', bytes: 48_000 }],
    expected: {
      ...value(
        'app_document_uploads_total',
        { document_type: 'docx', channel: 'web', outcome: 'success' },
        1,
      ),
      ...observation('app_document_upload_size_bytes', { document_type: 'docx' }, 48_000, BODY_SIZE_BUCKETS),
    },
  },
  {
    name: 'transaction: amounts of successful ones only',
    events: [
      {
        type: 'transaction',
        transaction_type: 'transfer',
        channel: 'api',
        outcome: 'success',
        amount: 250,
        currency: 'EUR',
      },
      {
        type: 'transaction',
        transaction_type: 'transfer',
        channel: 'api',
        outcome: 'declined',
        amount: 90,
        currency: 'EUR',
      },
    ],
    expected: {
      ...value(
        'app_transactions_total',
        { transaction_type: 'transfer', channel: 'api', outcome: 'success' },
        1,
      ),
      ...value(
        'app_transactions_total',
        { transaction_type: 'transfer', channel: 'api', outcome: 'declined' },
        1,
      ),
      ...observation(
        'app_transaction_amount',
        { transaction_type: 'transfer', currency: 'EUR' },
        250,
        BUSINESS_METRICS.transactionAmount.buckets,
      ),
    },
  },
  {
    name: 'error',
    events: [
      {
        type: 'error',
        message: 'card for jane@example.com declined',
        error_type: 'ValueError',
        component: 'payments',
        stack: 'Traceback ...',
        context: { order_total: 12.5, retry: false },
      },
    ],
    expected: value(
      'app_errors_total',
      { error_type: 'ValueError', component: 'payments', level: 'error' },
      1,
    ),
  },
];

describe('ingest: every event type produces exactly its series', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('covers every type of the catalog', async () => {
    const { EVENT_TYPES } = await import('../../../src/ingest/index.js');
    const covered = new Set(cases.flatMap((c) => c.events.map((e) => (e as { type: string }).type)));
    expect([...covered].sort()).toEqual([...EVENT_TYPES].sort());
  });

  for (const c of cases) {
    it(c.name, async () => {
      const before = await applicationSnapshot(stack.adminUrl);
      const selfBefore = await scrape(stack.adminUrl);
      const res = await postEvents(stack.adminUrl, c.events);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accepted: c.events.length, duplicates: 0, rejected: [] });

      const changed = Object.fromEntries(changes(before, await applicationSnapshot(stack.adminUrl)));
      expect(Object.keys(changed).sort()).toEqual(Object.keys(c.expected).sort());
      for (const [k, v] of Object.entries(c.expected)) expect(changed[k], k).toBeCloseTo(v, 9);

      const selfAfter = await scrape(stack.adminUrl);
      const type = (c.events[0] as { type: string }).type;
      const accepted = (s: typeof selfAfter) =>
        valueOf(s, 'sidecar_ingest_events_total', { type, outcome: 'accepted' });
      expect(accepted(selfAfter) - accepted(selfBefore)).toBe(c.events.length);
    });
  }

  it('starts sibling outcomes at 0 with a new series, so ratios work at once', async () => {
    const samples = await scrape(stack.adminUrl);
    for (const result of ['miss', 'error']) {
      expect(
        valueOf(samples, 'app_cache_operations_total', { cache: 'redis', operation: 'get', result }),
      ).toBe(0);
    }
    expect(
      valueOf(samples, 'app_storage_operation_duration_seconds_count', {
        operation: 'upload',
        backend: 's3',
        outcome: 'error',
      }),
    ).toBe(0);
    expect(
      valueOf(samples, 'gen_ai_client_token_usage_count', {
        gen_ai_request_model: 'gpt-4o',
        gen_ai_token_type: 'output',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'app_transactions_total', {
        transaction_type: 'transfer',
        channel: 'api',
        outcome: 'error',
      }),
    ).toBe(0);
  });

  it('forwards error events to error tracking, scrubbed, and never logs their message', async () => {
    const res = await fetch(`${stack.adminUrl}/errors?kind=app_error`);
    const body = (await res.json()) as { errors: Array<{ message: string; level: string }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.level).toBe('error');
    expect(body.errors[0]!.message).toContain('declined');
    expect(JSON.stringify(body)).not.toContain('jane@example.com');
    expect(stack.logs.text()).not.toContain('jane@example.com');
    expect(stack.logs.text()).not.toContain('Traceback');
  });
});

describe('ingest: series that exist before the first event', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('pre-initialises every enum-only combination and the self-metrics at 0', async () => {
    const samples = await scrape(stack.adminUrl);
    const auth = samples.filter((s) => s.name === 'app_auth_attempts_total');
    expect(auth).toHaveLength(9 * (1 + 7));
    expect(auth.every((s) => s.value === 0)).toBe(true);
    expect(samples.filter((s) => s.name === 'sidecar_ingest_events_total')).toHaveLength(15 * 3);
    expect(valueOf(samples, 'sidecar_ingest_rejections_total', { reason: 'personal_data' })).toBe(0);
    expect(valueOf(samples, 'sidecar_label_overflow_total', { type: 'llm.request', field: 'model' })).toBe(0);
    expect(valueOf(samples, 'sidecar_ingest_label_values', { type: 'llm.request', field: 'model' })).toBe(0);
    expect(valueOf(samples, 'sidecar_ingest_requests_total', { status: '200' })).toBe(0);
  });
});
