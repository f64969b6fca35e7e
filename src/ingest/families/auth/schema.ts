import * as z from 'zod';
import { labelEnum } from '../../label-safety.js';
import { envelope } from '../schema-fields.js';

export const AUTH_METHODS = [
  'password',
  'oauth',
  'sso',
  'api_key',
  'token_refresh',
  'magic_link',
  'mfa',
  'passkey',
  'other',
] as const;
export const AUTH_OUTCOMES = ['success', 'failure'] as const;
export const AUTH_FAILURE_REASONS = [
  'invalid_credentials',
  'unknown_user',
  'account_locked',
  'expired',
  'mfa_failed',
  'rate_limited',
  'other',
] as const;

/** Only enums: an authentication event never carries a user id, a user name or an address. */
export const authAttemptSchema = z
  .strictObject({
    type: z.literal('auth.attempt'),
    ...envelope,
    method: labelEnum(AUTH_METHODS, 'How the user tried to authenticate.'),
    outcome: labelEnum(AUTH_OUTCOMES, 'Whether the attempt succeeded.'),
    reason: labelEnum(
      AUTH_FAILURE_REASONS,
      'Failures only: why the attempt failed; `other` when omitted.',
    ).optional(),
  })
  .check((ctx) => {
    if (ctx.value.outcome === 'success' && ctx.value.reason !== undefined) {
      ctx.issues.push({
        code: 'custom',
        path: ['reason'],
        message: 'is allowed only when outcome is failure',
        input: ctx.value.reason,
        params: { reason: 'invalid_combination' },
      });
    }
  })
  .describe('auth.attempt: one sign-in or token attempt. Never a user id, user name or IP address.');
