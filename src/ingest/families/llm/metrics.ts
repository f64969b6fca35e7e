import { GENAI_DURATION_BUCKETS } from '../../../metrics/buckets.js';
import { declareMetrics } from '../../../metrics/declaration.js';

const GENAI = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'];

/** `llm.request`, as OpenTelemetry's GenAI client conventions name it. */
export const LLM_METRICS = declareMetrics({
  duration: {
    name: 'gen_ai_client_operation_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'GenAI operation duration reported by the application (gen_ai.client.operation.duration).',
    labelNames: [...GENAI, 'error_type'],
    buckets: GENAI_DURATION_BUCKETS,
  },
  tokens: {
    name: 'gen_ai_client_token_usage',
    type: 'histogram',
    help: 'Input and output tokens per GenAI operation (gen_ai.client.token.usage); _sum is the token volume.',
    labelNames: [...GENAI, 'gen_ai_token_type'],
    // The advice of gen_ai.client.token.usage: 1 to 67M tokens in ×4 steps.
    buckets: [
      1, 4, 16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864,
    ],
  },
  firstChunk: {
    name: 'gen_ai_client_operation_time_to_first_chunk_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Time to the first chunk of a streamed GenAI response (gen_ai.client.operation.time_to_first_chunk).',
    labelNames: GENAI,
    // The advice of gen_ai.server.time_to_first_token.
    buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  },
});
