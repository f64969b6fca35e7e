import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { errorBodyText, rawErrorResponse, sendError } from '../../../src/http/error-response.js';
import { request } from '../../helpers/http.js';

describe('errorBodyText', () => {
  it('names the status by its reason phrase, with the code, the message and the request id', () => {
    expect(
      JSON.parse(errorBodyText(502, { code: 'UPSTREAM_RESET', message: 'm', requestId: 'r-1' })),
    ).toEqual({
      error: 'Bad Gateway',
      code: 'UPSTREAM_RESET',
      message: 'm',
      request_id: 'r-1',
    });
  });

  it('leaves out a missing request id, takes a caller-given name and puts further fields last', () => {
    const text = errorBodyText(400, {
      error: 'no_valid_events',
      code: 'no_valid_events',
      message: 'm',
      details: { accepted: 0, rejected: [] },
    });
    expect(text).toBe(
      '{"error":"no_valid_events","code":"no_valid_events","message":"m","accepted":0,"rejected":[]}',
    );
  });
});

describe('rawErrorResponse', () => {
  it('is a complete HTTP/1.1 response that closes the connection', () => {
    const [head, body] = rawErrorResponse(504, {
      code: 'UPSTREAM_TIMEOUT',
      message: 'late',
      requestId: 'r-2',
    }).split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    expect(head).toContain('\r\ncontent-type: application/json; charset=utf-8');
    expect(head).toContain(`\r\ncontent-length: ${Buffer.byteLength(body!)}`);
    expect(head).toContain('\r\ncache-control: no-store');
    expect(head).toContain('\r\nx-request-id: r-2');
    expect(head).toContain('\r\nconnection: close');
    expect(JSON.parse(body!)).toMatchObject({ error: 'Gateway Timeout', code: 'UPSTREAM_TIMEOUT' });
  });
});

describe('sendError', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('writes the body with its headers, keeping headers set before and closing when asked', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('www-authenticate', 'Bearer');
      sendError(res, 401, { code: 'unauthorized', message: 'a token is required', requestId: 'r-3' }, true);
    });
    const res = await request(url);
    expect(res.status).toBe(401);
    expect(res.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': 'r-3',
      'www-authenticate': 'Bearer',
      connection: 'close',
    });
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(JSON.parse(res.body.toString())).toEqual({
      error: 'Unauthorized',
      code: 'unauthorized',
      message: 'a token is required',
      request_id: 'r-3',
    });
  });

  it('keeps the connection open unless asked to close it', async () => {
    const url = await serve((_req, res) => sendError(res, 404, { code: 'not_found', message: 'no' }));
    const res = await request(url, { headers: { connection: 'keep-alive' } });
    expect(res.headers.connection).toBe('keep-alive');
    expect(res.headers['x-request-id']).toBeUndefined();
  });

  it('cuts the connection of a response already under way instead of appending an error to it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write('partial');
      sendError(res, 500, { code: 'internal_error', message: 'failed' });
    });
    await expect(request(url)).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
  });
});
