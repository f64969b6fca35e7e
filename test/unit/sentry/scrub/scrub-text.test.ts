import { describe, expect, it } from 'vitest';
import { FILTERED, scrubText } from '../../../../src/sentry/scrub/scrub-text.js';

describe('scrubText', () => {
  it.each([
    ['a JWT', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl in a log', 'eyJ'],
    ['a bearer token', 'Authorization: Bearer abc123def456ghi', 'abc123def456ghi'],
    ['basic credentials', 'sent Basic YWxhZGRpbjpvcGVuc2VzYW1l upstream', 'YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['an email', 'mail jane.doe+bank@example.co.uk failed', 'jane.doe+bank@example.co.uk'],
    ['a spaced card number', 'card 4111 1111 1111 1111 declined', '4111 1111 1111 1111'],
    ['a dashed card number', 'card 5500-0000-0000-0004 declined', '5500-0000-0000-0004'],
    ['a compact card number', 'pan=378282246310005', '378282246310005'],
    ['a card number followed by more digits', 'card 4111 1111 1111 1111 22 x', '4111 1111 1111 1111'],
    ['an IBAN', 'to DE89370400440532013000 today', 'DE89370400440532013000'],
    ['a grouped IBAN before a word', 'iban GB82 WEST 1234 5698 7654 32 phone', 'GB82 WEST 1234 5698 7654 32'],
    ['a lower-case valid IBAN', 'ref de89370400440532013000', 'de89370400440532013000'],
    ['a phone number', 'call +49 170 1234567 now', '+49 170 1234567'],
    ['an IPv4 address', 'from 203.0.113.9 via proxy', '203.0.113.9'],
    ['an IPv6 address', 'from 2001:db8::8a2e:370:7334 via', '2001:db8::8a2e:370:7334'],
    ['a key=value secret', 'login failed password=hunter2 retry', 'hunter2'],
    ['a key: value secret', 'api_key: k-12345 rejected', 'k-12345'],
    ['a JSON secret', '{"user":"a","password":"hunter2"}', 'hunter2'],
    ['a truncated JSON secret', '{"token":"abcdef12', 'abcdef12'],
    ['a numeric JSON secret', '{"pin": 4821, "x": 1}', '4821'],
    ['a pair inside the value of another', 'java.lang.IllegalStateException: token=abc123 at x', 'abc123'],
    ['a secret in JSON inside a JSON string', '{"detail":"{\\"password\\":\\"hunter2\\"}', 'hunter2'],
  ])('removes %s', (_name, text, secret) => {
    const out = scrubText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(FILTERED);
  });

  it('leaves ordinary text, ids and numbers alone', () => {
    for (const text of [
      'GET /api/users/:id → 503',
      'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7',
      'took 1234 ms at 10:30:00 with 3 retries',
      'order 1700000000001 shipped',
      'version 2.11.4 released',
      'status=503 page=2',
    ]) {
      expect(scrubText(text)).toBe(text);
    }
  });

  it('keeps a lower-case IBAN-shaped value whose checksum fails (hex ids look like that)', () => {
    expect(scrubText('ref de89370400440532013001 x')).toBe('ref de89370400440532013001 x');
  });
});
