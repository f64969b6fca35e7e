import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { envelope } from '../schema-fields.js';
import { exceptionSchema } from './exception-schema.js';

export const ERROR_LEVELS = ['fatal', 'error', 'warning'] as const;

const contextValue = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, a number, a boolean or null',
});

export const errorEventSchema = z
  .strictObject({
    type: z.literal('error'),
    ...envelope,
    message: z
      .string()
      .min(1)
      .max(8192)
      .describe('The error message. Sent to Sentry after scrubbing; never a label, never logged.'),
    error_type: labelString('Exception class or error code: ValueError, app.errors.Timeout…'),
    component: labelString('Where it happened: payments, chat, ingest_worker…').optional(),
    level: labelEnum(ERROR_LEVELS, 'Severity.').default('error'),
    stack: z
      .string()
      .max(65_536)
      .optional()
      .describe('The stack trace as text: a Python traceback or a Node.js stack is parsed into frames.'),
    exception: exceptionSchema.optional(),
    request_id: z
      .string()
      .regex(/^[A-Za-z0-9._:@=+/-]{1,128}$/, { error: 'must be the X-Request-Id the sidecar forwarded' })
      .optional()
      .describe(
        'The X-Request-Id of the request the error happened in (the sidecar sets one on every request).',
      ),
    trace_id: z
      .string()
      .regex(/^[0-9a-f]{32}$/, { error: 'must be 32 lowercase hex digits' })
      .optional()
      .describe('The trace the request carried (sentry-trace or traceparent), to link the error to it.'),
    span_id: z
      .string()
      .regex(/^[0-9a-f]{16}$/, { error: 'must be 16 lowercase hex digits' })
      .optional()
      .describe('The span the request carried.'),
    context: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'keys may contain only letters, digits and _ . -' }),
        contextValue,
      )
      .optional()
      .describe('Flat key/value details for Sentry (at most 50 keys); scrubbed like the message.'),
  })
  .check((ctx) => {
    const context = ctx.value.context;
    if (context !== undefined && Object.keys(context).length > 50) {
      ctx.issues.push({
        code: 'custom',
        path: ['context'],
        message: 'must have at most 50 keys',
        input: undefined,
        params: { reason: 'invalid_length' },
      });
    }
  })
  .describe('error: an application error, counted and forwarded to Sentry.');
