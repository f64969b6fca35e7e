import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { count, envelope, seconds } from '../schema-fields.js';

/** The well-known values of gen_ai.operation.name. */
export const GENAI_OPERATIONS = [
  'chat',
  'text_completion',
  'generate_content',
  'embeddings',
  'create_agent',
  'invoke_agent',
  'execute_tool',
] as const;

export const llmRequestSchema = z
  .strictObject({
    type: z.literal('llm.request'),
    ...envelope,
    operation: labelEnum(GENAI_OPERATIONS, 'As gen_ai.operation.name.').default('chat'),
    provider: labelString(
      'As gen_ai.provider.name: openai, anthropic, aws.bedrock, azure.ai.openai, gcp.vertex_ai, ollama…',
    ),
    model: labelString('The model requested, as gen_ai.request.model: gpt-4o, claude-sonnet-4…'),
    input_tokens: count('Input (prompt) tokens, as billed.', 1e9).optional(),
    output_tokens: count('Output (completion) tokens, as billed.', 1e9).optional(),
    duration_s: seconds('Time from sending the request to the last chunk of the response.'),
    time_to_first_chunk_s: seconds(
      'Streaming calls only: time to the first chunk of the response.',
    ).optional(),
    error_type: labelString(
      'Set only when the call failed: the exception class or the provider error code (rate_limit_exceeded, timeout).',
    ).optional(),
  })
  .check((ctx) => {
    const { time_to_first_chunk_s: first, duration_s: total } = ctx.value;
    if (first !== undefined && first > total) {
      ctx.issues.push({
        code: 'custom',
        path: ['time_to_first_chunk_s'],
        message: 'must not exceed duration_s',
        input: first,
        params: { reason: 'invalid_combination' },
      });
    }
  })
  .describe('llm.request: one call to a generative-AI model.');
