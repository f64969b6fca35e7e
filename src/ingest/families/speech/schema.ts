import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { envelope, seconds, successOrError } from '../schema-fields.js';

export const SPEECH_OPERATIONS = ['speech_to_text', 'text_to_speech'] as const;

export const speechRequestSchema = z
  .strictObject({
    type: z.literal('speech.request'),
    ...envelope,
    operation: labelEnum(SPEECH_OPERATIONS, 'Recognition or synthesis.'),
    provider: labelString('The provider that answered last: whisper, google, azure, elevenlabs…'),
    outcome: labelEnum(successOrError, 'Whether the request produced a result in the end.'),
    duration_s: seconds('Total time, all attempts included.'),
    audio_s: seconds('Length of the audio recognised or produced.').optional(),
    providers_attempted: z
      .array(labelString('A provider tried.'))
      .min(1)
      .max(10)
      .optional()
      .describe(
        'Every provider tried, in order, ending with `provider`. Each step from one to the next counts as a fallback.',
      ),
  })
  .check((ctx) => {
    const chain = ctx.value.providers_attempted;
    if (chain !== undefined && chain[chain.length - 1] !== ctx.value.provider) {
      ctx.issues.push({
        code: 'custom',
        path: ['providers_attempted'],
        message: 'must end with the value of provider',
        input: chain,
        params: { reason: 'invalid_combination' },
      });
    }
  })
  .describe('speech.request: one speech-to-text or text-to-speech request, with its fallbacks.');
