import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { rawRejection, refusalOf, rejection, rejectionOfParserError } from '../../../src/proxy/rejections.js';
import { ViaMark } from '../../../src/proxy/via.js';

const parserError = (code: string, rawPacket?: string) =>
  Object.assign(new Error(code), {
    code,
    rawPacket: rawPacket === undefined ? undefined : Buffer.from(rawPacket),
  });

describe('rejectionOfParserError', () => {
  it('maps the header timeout, and every other parser error to 400 naming it', () => {
    expect(rejectionOfParserError(parserError('ERR_HTTP_REQUEST_TIMEOUT'), 8192).status).toBe(408);
    const bad = rejectionOfParserError(parserError('HPE_INVALID_TRANSFER_ENCODING'), 8192);
    expect([bad.status, bad.errorType]).toEqual([400, 'bad_request']);
    expect(bad.message).toContain('HPE_INVALID_TRANSFER_ENCODING');
  });

  it('tells a request line too long (414) from headers too large (431)', () => {
    const long = `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n`;
    expect(rejectionOfParserError(parserError('HPE_HEADER_OVERFLOW', long), 8192).status).toBe(414);
    // Still in the request line: no CRLF yet.
    expect(
      rejectionOfParserError(parserError('HPE_HEADER_OVERFLOW', long.slice(0, 17_000)), 8192).status,
    ).toBe(414);
    const headers = `GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}`;
    expect(rejectionOfParserError(parserError('HPE_HEADER_OVERFLOW', headers), 8192).status).toBe(431);
    // A later chunk of the head, without its request line: the sidecar cannot tell, so 431.
    expect(rejectionOfParserError(parserError('HPE_HEADER_OVERFLOW', 'a'.repeat(20_000)), 8192).status).toBe(
      431,
    );
    expect(rejectionOfParserError(parserError('HPE_HEADER_OVERFLOW'), 8192).status).toBe(431);
  });

  it('writes a complete response that closes the connection', () => {
    const text = rawRejection(rejection('uri_too_long'), 'req-1');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n/);
    expect(head).toContain('\r\nconnection: close');
    expect(head).toContain('\r\nx-request-id: req-1');
    expect(head).toContain(`\r\ncontent-length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toMatchObject({ code: 'URI_TOO_LONG', request_id: 'req-1' });
  });
});

describe('refusalOf', () => {
  const via = new ViaMark();
  via.listening(8080);
  const request = (url: string, headers: Record<string, string>, httpVersionMinor = 1) =>
    ({ url, headers, httpVersionMinor }) as unknown as IncomingMessage;

  it('forwards a plain request', () => {
    expect(refusalOf(request('/a', { host: 'x' }), 8192, via)).toBeUndefined();
    // HTTP/1.0 has no Host requirement.
    expect(refusalOf(request('/a', {}, 0), 8192, via)).toBeUndefined();
  });

  it('refuses a target longer than MAX_URL_BYTES with 414', () => {
    expect(refusalOf(request(`/${'a'.repeat(100)}`, { host: 'x' }), 100, via)?.errorType).toBe(
      'uri_too_long',
    );
    expect(refusalOf(request(`/${'a'.repeat(99)}`, { host: 'x' }), 100, via)).toBeUndefined();
  });

  it('refuses a request that already carries its own Via mark with 508', () => {
    const own = `1.1 ${os.hostname()}:8080`;
    expect(refusalOf(request('/a', { host: 'x', via: own }), 8192, via)?.status).toBe(508);
    expect(
      refusalOf(request('/a', { host: 'x', via: `1.1 nginx, ${own} (sidecar)` }), 8192, via)?.errorType,
    ).toBe('loop_detected');
    expect(
      refusalOf(request('/a', { host: 'x', via: `1.1 ${os.hostname()}:8081` }), 8192, via),
    ).toBeUndefined();
    expect(
      refusalOf(request('/a', { host: 'x', via: '1.0 fred, 1.1 p.example.net' }), 8192, via),
    ).toBeUndefined();
  });

  it('refuses HTTP/1.1 without Host, and HTTP/1.0 with Transfer-Encoding (RFC 9112), with 400', () => {
    expect(refusalOf(request('/a', {}), 8192, via)?.status).toBe(400);
    expect(refusalOf(request('/a', { 'transfer-encoding': 'chunked' }, 0), 8192, via)?.errorType).toBe(
      'bad_request',
    );
  });
});
