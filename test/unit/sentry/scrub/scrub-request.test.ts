import { describe, expect, it } from 'vitest';
import { scrubBody, scrubHeaders, scrubQuery, scrubUrl } from '../../../../src/sentry/scrub/scrub-request.js';
import { FILTERED } from '../../../../src/sentry/scrub/scrub-text.js';

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
