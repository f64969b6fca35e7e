import * as z from 'zod';
import { labelEnum, labelString } from '../../label-safety.js';
import { count, envelope, seconds, successOrError } from '../schema-fields.js';

const channel = () => labelString('Where it happened: web, ios, android, api, voice…').optional();

export const CHAT_ROLES = ['user', 'assistant'] as const;
export const TRANSACTION_OUTCOMES = ['success', 'declined', 'error'] as const;

export const chatMessageSchema = z
  .strictObject({
    type: z.literal('chat.message'),
    ...envelope,
    role: labelEnum(CHAT_ROLES, 'Who wrote the message.').default('user'),
    channel: channel(),
    outcome: labelEnum(successOrError, 'Whether the message was handled.').default('success'),
  })
  .describe('chat.message: one chat message. Never its text.');

export const voiceInteractionSchema = z
  .strictObject({
    type: z.literal('voice.interaction'),
    ...envelope,
    kind: labelString('What the interaction was: question, command, dictation…').optional(),
    channel: channel(),
    outcome: labelEnum(successOrError, 'Whether the interaction was handled.').default('success'),
    duration_s: seconds('From the first word to the end of the reply.').optional(),
  })
  .describe('voice.interaction: one spoken exchange.');

export const documentUploadSchema = z
  .strictObject({
    type: z.literal('document.upload'),
    ...envelope,
    document_type: labelString('Kind of document: pdf, docx, image…'),
    channel: channel(),
    outcome: labelEnum(successOrError, 'Whether the upload was accepted.').default('success'),
    bytes: count('Size of the uploaded document, in bytes.', 1e13).optional(),
  })
  .describe('document.upload: one document a user uploaded.');

export const transactionSchema = z
  .strictObject({
    type: z.literal('transaction'),
    ...envelope,
    transaction_type: labelString('Kind of transaction: payment, transfer, deposit, withdrawal, refund…'),
    channel: channel(),
    outcome: labelEnum(TRANSACTION_OUTCOMES, 'success, declined (a business refusal) or error (a failure).'),
    amount: z
      .number()
      .min(0)
      .max(1e15)
      .optional()
      .describe('Amount in the major unit of `currency`. Recorded as a histogram value, never as a label.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as EUR' })
      .optional()
      .describe('ISO 4217 currency code; required with amount.'),
  })
  .check((ctx) => {
    if (ctx.value.amount !== undefined && ctx.value.currency === undefined) {
      ctx.issues.push({
        code: 'custom',
        path: ['currency'],
        message: 'is required when amount is set',
        input: undefined,
        params: { reason: 'invalid_combination' },
      });
    }
  })
  .describe('transaction: one business transaction. Amounts are values, never labels.');
