import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSidecar, startSidecar } from '../helpers/sidecar.js';
import {
  headerValues,
  type ParsedRequest,
  type RecordingBackend,
  rawRequest,
  recordingBackend,
  responsesIn,
} from './support/raw.js';

/**
 * Forwarded headers and header injection. A client cannot make the backend believe in an address,
 * scheme or host that TRUST_PROXY does not vouch for; and no input can make the sidecar write a
 * header line it did not mean to write, towards the backend or back to the client: CR and LF never
 * get into a header the sidecar writes, including the X-Request-Id it echoes and the forwarded
 * headers it builds from client input.
 */

const EXTERNAL = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

let backend: RecordingBackend;

beforeAll(async () => {
  backend = await recordingBackend();
});
afterAll(() => backend?.close());

/** Sends `head` (plus Connection: close) and returns what the backend received for it. */
async function forward(port: number, head: string, localAddress?: string): Promise<ParsedRequest> {
  const marker = `/probe/${Math.random().toString(36).slice(2)}`;
  const text = head.replace('/probe', marker).replace('\r\n', '\r\nConnection: close\r\n');
  await rawRequest(port, text, { waitMs: 1_000, ...(localAddress ? { localAddress } : {}) });
  const received = backend.requests().find((r) => r.target.startsWith(marker));
  if (!received) throw new Error(`the backend did not get ${marker}`);
  return received;
}

const one = (r: ParsedRequest, name: string) => {
  const values = headerValues(r, name);
  expect(values.length, name).toBeLessThanOrEqual(1);
  return values[0];
};

const FORGED =
  'GET /probe HTTP/1.1\r\nHost: bank.example\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.9, 10.1.2.3\r\n' +
  'X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nForwarded: for=6.6.6.6;proto=https\r\nX-Real-IP: 6.6.6.6\r\n\r\n';

describe('X-Forwarded-For cannot be forged past TRUST_PROXY', () => {
  const stacks: RunningSidecar[] = [];
  const start = async (env: Record<string, string>) => {
    const stack = await startSidecar(backend.url, env);
    stacks.push(stack);
    return stack;
  };
  afterAll(async () => {
    for (const stack of stacks) await stack.close();
  });

  it('TRUST_PROXY=false: only the connected peer, and the scheme and host the sidecar saw', async () => {
    const stack = await start({ TRUST_PROXY: 'false', HOST: '0.0.0.0' });
    const got = await forward(stack.proxyPort, FORGED);
    expect(one(got, 'x-forwarded-for')).toBe('127.0.0.1');
    expect(one(got, 'x-forwarded-proto')).toBe('http');
    expect(one(got, 'x-forwarded-host')).toBe('bank.example');
    expect(headerValues(got, 'forwarded')).toEqual([]);
    expect(headerValues(got, 'x-real-ip')).toEqual([]);
  });

  it('the default (loopback, uniquelocal): the chain stops at the first address that is not trusted', async () => {
    const stack = await start({ HOST: '0.0.0.0' });
    const got = await forward(stack.proxyPort, FORGED);
    // 10.1.2.3 is trusted (unique local), 203.0.113.9 is not: 6.6.6.6 before it is dropped.
    expect(one(got, 'x-forwarded-for')).toBe('203.0.113.9, 10.1.2.3, 127.0.0.1');
  });

  it('TRUST_PROXY=1: one hop, whatever else the header says', async () => {
    const stack = await start({ TRUST_PROXY: '1', HOST: '0.0.0.0' });
    const got = await forward(stack.proxyPort, FORGED);
    expect(one(got, 'x-forwarded-for')).toBe('10.1.2.3, 127.0.0.1');
  });

  it('several X-Forwarded-For lines are read as one list, with the same rule', async () => {
    const stack = await start({ HOST: '0.0.0.0' });
    const got = await forward(
      stack.proxyPort,
      'GET /probe HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n',
    );
    expect(one(got, 'x-forwarded-for')).toBe('203.0.113.9, 127.0.0.1');
  });

  it.skipIf(EXTERNAL === undefined)('an untrusted peer on the network gets no say at all', async () => {
    const stack = await start({ HOST: '0.0.0.0' });
    const got = await forward(stack.proxyPort, FORGED, EXTERNAL);
    expect(one(got, 'x-forwarded-for')).toBe(EXTERNAL);
    expect(one(got, 'x-forwarded-proto')).toBe('http');
    expect(one(got, 'x-forwarded-host')).toBe('bank.example');
    expect(headerValues(got, 'forwarded')).toEqual([]);
  });
});

describe('CR/LF header injection', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startSidecar(backend.url);
  });
  afterAll(() => stack?.close());

  const hostile: Array<[string, string]> = [
    ['an encoded CRLF in the path', 'GET /probe/%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['an encoded CRLF in the query', 'GET /probe?q=%0D%0AX-Injected:%201 HTTP/1.1\r\nHost: a\r\n\r\n'],
    [
      'an encoded CRLF in X-Request-Id',
      'GET /probe HTTP/1.1\r\nHost: a\r\nX-Request-Id: a%0d%0aX-Injected:%201\r\n\r\n',
    ],
    ['an encoded CRLF in Host', 'GET /probe HTTP/1.1\r\nHost: a%0d%0aX-Injected:%201\r\n\r\n'],
    [
      'an encoded CRLF in an absolute-form authority',
      'GET http://a%0d%0aX-Injected:%201/probe HTTP/1.1\r\nHost: a\r\n\r\n',
    ],
    ['obs-text in X-Request-Id', 'GET /probe HTTP/1.1\r\nHost: a\r\nX-Request-Id: caf\xe9\xff\r\n\r\n'],
    [
      'two X-Request-Id lines',
      'GET /probe HTTP/1.1\r\nHost: a\r\nX-Request-Id: one\r\nX-Request-Id: two\r\n\r\n',
    ],
    ['a tab in X-Request-Id', 'GET /probe HTTP/1.1\r\nHost: a\r\nX-Request-Id: a\tb\r\n\r\n'],
    [
      'a very long X-Request-Id',
      `GET /probe HTTP/1.1\r\nHost: a\r\nX-Request-Id: ${'r'.repeat(4_000)}\r\n\r\n`,
    ],
    [
      'CRLF-looking trace headers',
      'GET /probe HTTP/1.1\r\nHost: a\r\nsentry-trace: a%0d%0ab\r\nbaggage: sentry-environment=x%0D%0AX-Injected:1\r\ntraceparent: 00-%0d%0a\r\n\r\n',
    ],
  ];

  it.each(hostile)(
    '%s: no header line is added, towards the backend or back to the client',
    async (_name, head) => {
      const answer = await rawRequest(stack.proxyPort, head.replace('\r\n', '\r\nConnection: close\r\n'), {
        waitMs: 1_000,
      });
      const [response] = responsesIn(answer.text);
      expect(response?.status).toBe(200);
      expect(Object.keys(response!.headers)).not.toContain('x-injected');
      const requestId = response!.headers['x-request-id']!;
      // The id echoed is the one the backend got, and a plain one.
      expect(requestId).toMatch(/^[A-Za-z0-9._:@=+/-]{1,128}$/);
      const got = backend.requests().find((r) => headerValues(r, 'x-request-id')[0] === requestId);
      expect(got).toBeDefined();
      expect(got!.headers.map(([name]) => name)).not.toContain('x-injected');
    },
  );

  it('keeps a plain X-Request-Id as it is, both ways', async () => {
    const answer = await rawRequest(
      stack.proxyPort,
      'GET /probe HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Request-Id: req-42.a:b@c=d+e/f\r\n\r\n',
    );
    expect(responsesIn(answer.text)[0]?.headers['x-request-id']).toBe('req-42.a:b@c=d+e/f');
  });

  it('refuses raw CR, LF or NUL in any header value before it reaches the backend', async () => {
    for (const value of ['a\rX-Injected: 1', 'a\nX-Injected: 1', 'a\0b']) {
      const before = backend.requests().length;
      const answer = await rawRequest(
        stack.proxyPort,
        `GET /probe HTTP/1.1\r\nHost: a\r\nX-Request-Id: ${value}\r\n\r\n`,
      );
      expect(responsesIn(answer.text).map((r) => r.status)).toEqual([400]);
      expect(
        backend
          .requests()
          .slice(before)
          .filter((r) => r.target !== '/health'),
      ).toEqual([]);
    }
  });
});
