import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { envelope, seconds } from '../schema-fields.js';

export const CACHE_OPERATIONS = ['get', 'set', 'delete', 'expire', 'increment', 'other'] as const;
export const CACHE_RESULTS = ['hit', 'miss', 'ok', 'error'] as const;

/** Which results each operation can have: hit and miss describe reads only. */
export const CACHE_RESULTS_BY_OPERATION: Readonly<
  Record<(typeof CACHE_OPERATIONS)[number], readonly string[]>
> = Object.freeze({
  get: ['hit', 'miss', 'error'],
  set: ['ok', 'error'],
  delete: ['ok', 'error'],
  expire: ['ok', 'error'],
  increment: ['ok', 'error'],
  other: ['ok', 'error'],
});

export const cacheOperationSchema = z
  .strictObject({
    type: z.literal('cache.operation'),
    ...envelope,
    cache: labelString('Which cache: redis, local, sessions…').default('default'),
    operation: labelEnum(CACHE_OPERATIONS, 'What was done; batch reads (MGET) count as get.'),
    result: labelEnum(CACHE_RESULTS, 'hit or miss for get; ok for writes; error when the call failed.'),
    duration_s: seconds('How long the call took.').optional(),
  })
  .check((ctx) => {
    const { operation, result } = ctx.value;
    if (!CACHE_RESULTS_BY_OPERATION[operation].includes(result)) {
      ctx.issues.push({
        code: 'custom',
        path: ['result'],
        message: `must be one of ${CACHE_RESULTS_BY_OPERATION[operation].join(', ')} for operation ${operation}`,
        input: result,
        params: { reason: 'invalid_combination' },
      });
    }
  })
  .describe('cache.operation: one cache call.');
