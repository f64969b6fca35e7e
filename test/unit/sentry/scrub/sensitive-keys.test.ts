import { describe, expect, it } from 'vitest';
import { isSensitiveKey } from '../../../../src/sentry/scrub/sensitive-keys.js';

describe('isSensitiveKey', () => {
  it.each([
    'password',
    'Passwd',
    'user_password',
    'newPassword',
    'secret',
    'client_secret',
    'token',
    'access_token',
    'refreshToken',
    'api_key',
    'apiKey',
    'X-Api-Key',
    'authorization',
    'Proxy-Authorization',
    'x-auth-token',
    'credentials',
    'private_key',
    'session',
    'sessionid',
    'JSESSIONID',
    'otp',
    'otp_code',
    'pin',
    'cvv',
    'ssn',
    'iban',
    'card_number',
    'email',
    'phone_number',
    'cookie',
    'Set-Cookie',
    'csrftoken',
    'jwt',
    'key',
  ])('%s names a secret', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each([
    'status',
    'page',
    'footprint',
    'spinner',
    'keyboard',
    'span_id',
    'content-type',
    'user-agent',
    'route',
  ])('%s does not', (key) => {
    expect(isSensitiveKey(key)).toBe(false);
  });
});
