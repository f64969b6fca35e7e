import { describe, expect, it } from 'vitest';
import {
  FILTERED,
  isSensitiveKey,
  scrubBody,
  scrubHeaders,
  scrubQuery,
  scrubText,
  scrubUrl,
  scrubValue,
} from '../../../../src/sentry/scrub/scrub-text.js';

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

describe('scrubQuery', () => {
  it('filters secret-named parameters and scrubs the values of the others', () => {
    expect(scrubQuery('status=503&token=abc&q=jane%40example.com&page=2')).toBe(
      'status=503&token=[Filtered]&q=[Filtered]&page=2',
    );
  });

  it('treats malformed encoding as unsafe', () => {
    expect(scrubQuery('a=%E0%A4%A&b=1')).toBe('a=[Filtered]&b=1');
  });

  it('keeps flags without values', () => {
    expect(scrubQuery('debug&x=1')).toBe('debug&x=1');
  });
});

describe('scrubUrl', () => {
  it('drops user info and fragments and scrubs query and path', () => {
    expect(scrubUrl('https://user:pw@bank.example/u/jane@example.com?session=abc&x=1#top')).toBe(
      'https://bank.example/u/[Filtered]?session=[Filtered]&x=1',
    );
  });
});

describe('scrubHeaders', () => {
  const allowed = new Set(['user-agent', 'authorization', 'x-forwarded-for', 'referer', 'x-note']);

  it('keeps only allow-listed headers, never identity headers, and filters secret-named ones', () => {
    const out = scrubHeaders(
      {
        'user-agent': 'curl/8',
        authorization: 'Bearer abc',
        'x-forwarded-for': '203.0.113.9',
        cookie: 'session=1',
        referer: 'https://a.example/?token=1',
        'x-note': 'contact jane@example.com',
      },
      allowed,
    );
    expect(out).toEqual({
      'user-agent': 'curl/8',
      authorization: FILTERED,
      referer: 'https://a.example/?token=[Filtered]',
      'x-note': `contact ${FILTERED}`,
    });
  });
});

describe('scrubValue', () => {
  it('filters by key at any depth and scrubs strings', () => {
    expect(
      scrubValue({
        user: { email: 'a@b.example', name: 'x' },
        items: [{ token: 't' }, 'jane@example.com'],
        n: 1,
      }),
    ).toEqual({ user: { email: FILTERED, name: 'x' }, items: [{ token: FILTERED }, FILTERED], n: 1 });
  });

  it('scrubs keys that are data themselves', () => {
    expect(scrubValue({ 'jane@example.com': 1 })).toEqual({ [FILTERED]: 1 });
  });

  it('bounds depth, breadth and string length', () => {
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(scrubValue(deep, { depth: 2, breadth: 10, stringLength: 10 })).toEqual({
      a: { b: '[Truncated]' },
    });
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(scrubValue(wide, { depth: 5, breadth: 5, stringLength: 10 }) as object)).toHaveLength(
      5,
    );
    expect(scrubValue('x'.repeat(50), { depth: 5, breadth: 5, stringLength: 10 })).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('scrubBody', () => {
  it('scrubs complete JSON by key and value', () => {
    expect(
      scrubBody('{"detail":"db down","password":"p","note":"mail a@b.example"}', 'application/json'),
    ).toBe('{"detail":"db down","password":"[Filtered]","note":"mail [Filtered]"}');
  });

  it('scrubs form bodies by parameter and anything else as text', () => {
    expect(scrubBody('user=a&password=p', 'application/x-www-form-urlencoded')).toBe(
      'user=a&password=[Filtered]',
    );
    expect(scrubBody('error for 203.0.113.9', 'text/plain')).toBe(`error for ${FILTERED}`);
    expect(scrubBody('{"secret":"abc', 'application/json')).toBe('{"secret":"[Filtered]"');
  });
});
