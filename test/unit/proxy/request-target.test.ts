import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toOriginForm } from '../../../src/proxy/request-target.js';

describe('toOriginForm', () => {
  const request = (url: string, host = 'original') =>
    ({ url, headers: { host } }) as unknown as IncomingMessage;

  it.each([
    ['http://example.com/a/b?c=d', '/a/b?c=d', 'example.com'],
    ['HTTPS://Example.com:8443/x', '/x', 'Example.com:8443'],
    ['http://example.com', '/', 'example.com'],
    ['http://example.com?q=1', '/?q=1', 'example.com'],
    ['http://user:secret@example.com/a', '/a', 'example.com'],
    ['http://[::1]:9464/metrics', '/metrics', '[::1]:9464'],
    ['http://example.com/a#fragment', '/a', 'example.com'],
  ])('%s → %s with Host %s', (target, path, host) => {
    const req = request(target);
    toOriginForm(req);
    expect([req.url, req.headers.host]).toEqual([path, host]);
  });

  it('leaves other forms alone', () => {
    for (const target of ['*', 'example.com:443', 'ftp://example.com/a']) {
      const req = request(target);
      toOriginForm(req);
      expect([req.url, req.headers.host]).toEqual([target, 'original']);
    }
  });
});
