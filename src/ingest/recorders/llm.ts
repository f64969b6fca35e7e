import {
  GENAI_DURATION_BUCKETS,
  GENAI_FIRST_CHUNK_BUCKETS,
  GENAI_TOKEN_BUCKETS,
} from '../../metrics/buckets.js';
import { INGEST_METRICS } from '../metric-names.js';
import { HistogramSeries, LabeledHistogram, varying } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

const GENAI = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'];
const DURATION_LABELS = [...GENAI, 'error_type'];
const TOKEN_LABELS = [...GENAI, 'gen_ai_token_type'];

export function createLlmRecorders({ registry, budgets }: RecorderContext): RecorderMap<'llm.request'> {
  const duration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.genAiDuration,
      help: 'GenAI operation duration reported by the application (gen_ai.client.operation.duration).',
      labelNames: DURATION_LABELS,
      buckets: [...GENAI_DURATION_BUCKETS],
      registry,
    }),
  );
  const tokens = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.genAiTokens,
      help: 'Input and output tokens per GenAI operation (gen_ai.client.token.usage); _sum is the token volume.',
      labelNames: TOKEN_LABELS,
      buckets: [...GENAI_TOKEN_BUCKETS],
      registry,
    }),
    varying(3, ['input', 'output']),
  );
  const firstChunk = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.genAiFirstChunk,
      help: 'Time to the first chunk of a streamed GenAI response (gen_ai.client.operation.time_to_first_chunk).',
      labelNames: GENAI,
      buckets: [...GENAI_FIRST_CHUNK_BUCKETS],
      registry,
    }),
  );
  const provider = budgets.field('llm.request', 'provider');
  const model = budgets.field('llm.request', 'model');
  const errorType = budgets.field('llm.request', 'error_type');

  return {
    'llm.request'(e) {
      const p = provider.admit(e.provider);
      const m = model.admit(e.model);
      const err = e.error_type === undefined ? '' : errorType.admit(e.error_type);
      duration.observe([e.operation, p, m, err], e.duration_s);
      if (e.input_tokens !== undefined) tokens.observe([e.operation, p, m, 'input'], e.input_tokens);
      if (e.output_tokens !== undefined) tokens.observe([e.operation, p, m, 'output'], e.output_tokens);
      if (e.time_to_first_chunk_s !== undefined)
        firstChunk.observe([e.operation, p, m], e.time_to_first_chunk_s);
    },
  };
}
