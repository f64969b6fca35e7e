import { describe, expect, it } from 'vitest';
import { compileTrust } from '../../../src/config/trust-proxy.js';
import { forwardedFor, removeHopByHop, responseHeadOf } from '../../../src/proxy/forwarded-headers.js';

describe('forwardedFor', () => {
  const loopback = compileTrust('loopback');
  it('drops a forged chain from an untrusted peer', () => {
    expect(forwardedFor('203.0.113.7', '1.2.3.4, 5.6.7.8', loopback)).toBe('203.0.113.7');
  });
  it('keeps what a trusted proxy reports, up to the first untrusted hop', () => {
    expect(forwardedFor('127.0.0.1', '9.9.9.9, 198.51.100.4', loopback)).toBe('198.51.100.4, 127.0.0.1');
    expect(forwardedFor('127.0.0.1', '9.9.9.9, 198.51.100.4, 127.0.0.2', loopback)).toBe(
      '198.51.100.4, 127.0.0.2, 127.0.0.1',
    );
  });
  it('honours a hop count', () => {
    expect(forwardedFor('10.0.0.1', '1.1.1.1, 2.2.2.2, 3.3.3.3', compileTrust('2'))).toBe(
      '2.2.2.2, 3.3.3.3, 10.0.0.1',
    );
  });
  it('writes IPv4-mapped peers as IPv4', () => {
    expect(forwardedFor('::ffff:127.0.0.1', undefined, loopback)).toBe('127.0.0.1');
  });
});

describe('removeHopByHop', () => {
  it('removes RFC 9110 hop-by-hop headers and those named by Connection', () => {
    const headers: Record<string, string> = {
      connection: 'keep-alive, x-internal-hop',
      'keep-alive': 'timeout=5',
      'x-internal-hop': '1',
      te: 'trailers',
      'proxy-authorization': 'Basic abc',
      'proxy-connection': 'keep-alive',
      upgrade: 'h2c',
      accept: 'application/json',
    };
    removeHopByHop(headers, false);
    expect(headers).toEqual({ accept: 'application/json' });
  });
  it('keeps Upgrade and Connection for WebSocket upgrades', () => {
    const headers: Record<string, string> = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'keep-alive': '1',
    };
    removeHopByHop(headers, true);
    expect(headers).toEqual({ connection: 'Upgrade', upgrade: 'websocket' });
  });
});

describe('responseHeadOf', () => {
  it('drops hop-by-hop headers, those named by Connection and plain chunked framing, keeping order, case and duplicates', () => {
    const head = responseHeadOf([
      'Content-Type',
      'Text/Event-Stream; charset=utf-8',
      'Connection',
      'keep-alive, X-Internal-Hop',
      'Set-Cookie',
      'a=1',
      'Keep-Alive',
      'timeout=5',
      'X-Internal-Hop',
      'secret',
      'Transfer-Encoding',
      'chunked',
      'Set-Cookie',
      'b=2',
      'Trailer',
      'Expires',
      'Upgrade',
      'h2c',
      'Proxy-Connection',
      'keep-alive',
      'TE',
      'trailers',
      'Cache-Control',
      'no-cache',
    ]);
    expect(head.headers).toEqual([
      'Content-Type',
      'Text/Event-Stream; charset=utf-8',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Cache-Control',
      'no-cache',
    ]);
    expect(head.contentType).toBe('text/event-stream; charset=utf-8');
    expect(head.requestId).toBe(false);
    expect(head.accelBuffering).toBe(false);
  });

  it('keeps a Transfer-Encoding that codes the body beyond chunked framing', () => {
    expect(responseHeadOf(['Transfer-Encoding', 'gzip, chunked']).headers).toEqual([
      'Transfer-Encoding',
      'gzip, chunked',
    ]);
    expect(responseHeadOf(['transfer-encoding', ' Chunked ']).headers).toEqual([]);
  });

  it('notes the headers the proxy would otherwise add itself', () => {
    const head = responseHeadOf(['X-Request-Id', 'abc', 'X-Accel-Buffering', 'yes']);
    expect(head).toEqual({
      headers: ['X-Request-Id', 'abc', 'X-Accel-Buffering', 'yes'],
      contentType: undefined,
      requestId: true,
      accelBuffering: true,
    });
  });
});
