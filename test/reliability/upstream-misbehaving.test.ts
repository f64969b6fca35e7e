import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../helpers/http.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../helpers/sidecar.js';
import { runLoad, statusCounts, summary } from './support/load.js';
import { type RawServer, rawServer } from './support/raw.js';

/**
 * A backend that misbehaves at the TCP level, one behaviour per path: headers or body dribbled
 * slowly, connections reset or half-closed mid-response, answers that are not HTTP, bytes nobody
 * asked for. Each request gets the right answer, the metrics say what happened, and the well-behaved
 * requests running beside them are not disturbed.
 */

const UPSTREAM_TIMEOUT_MS = 1_500;
const DURATION_COUNT = 'http_server_request_duration_seconds_count';
const BODY = 'x'.repeat(1_000);

type Behaviour = (socket: net.Socket) => void | Promise<void>;

async function dribble(socket: net.Socket, text: string, pieces: number, gapMs: number): Promise<void> {
  const size = Math.ceil(text.length / pieces);
  for (let at = 0; at < text.length; at += size) {
    if (socket.destroyed) return;
    socket.write(text.slice(at, at + size));
    await sleep(gapMs);
  }
}

const OK_HEAD = `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${BODY.length}\r\n\r\n`;

const behaviours: Record<string, Behaviour> = {
  '/ok': (s) => void s.write(`${OK_HEAD}${BODY}`),
  // Status line and headers one piece every 20 ms, well within the timeout.
  '/slow-headers': async (s) => {
    await dribble(s, OK_HEAD, 30, 20);
    s.write(BODY);
  },
  // Headers that never finish within UPSTREAM_TIMEOUT_MS.
  '/endless-headers': (s) => dribble(s, `HTTP/1.1 200 OK\r\n${'x-filler: 1\r\n'.repeat(400)}`, 400, 10),
  // Headers at once, then the body in 10 pieces over ~2 s: longer than UPSTREAM_TIMEOUT_MS, which
  // bounds the wait for headers only.
  '/slow-body': async (s) => {
    s.write(OK_HEAD);
    await dribble(s, BODY, 10, 200);
  },
  // Part of the body, then a TCP reset.
  '/reset-mid-body': async (s) => {
    s.write(`${OK_HEAD}${BODY.slice(0, 300)}`);
    await sleep(20);
    s.resetAndDestroy();
  },
  // Chunked, then a FIN before the last chunk.
  '/fin-mid-chunked': async (s) => {
    s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n64\r\n' + 'y'.repeat(100) + '\r\n');
    await sleep(20);
    s.end();
  },
  // Half-close without answering: the backend stopped writing.
  '/half-close': (s) => void s.end(),
  // No length and no chunking: the body ends when the backend closes (RFC 9112 §6.3, rule 8).
  '/until-close': (s) => void s.end(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n${BODY}`),
  // Not HTTP at all.
  '/ssh': (s) => void s.write('SSH-2.0-OpenSSH_9.6\r\n'),
  '/binary': (s) =>
    void s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])),
  '/bad-length': (s) => void s.write('HTTP/1.1 200 OK\r\ncontent-length: 12abc\r\n\r\nhello'),
  '/two-lengths': (s) =>
    void s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 7\r\n\r\nhello!!'),
  '/length-and-chunked': (s) =>
    void s.write(
      'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    ),
  '/bad-header-value': (s) => void s.write('HTTP/1.1 200 OK\r\nx-bad: a\x01b\r\ncontent-length: 2\r\n\r\nok'),
  '/bare-lf': (s) => void s.write('HTTP/1.1 200 OK\ncontent-length: 2\n\nok'),
  // A complete answer, then a second response nobody asked for, on the same connection.
  '/unsolicited': async (s) => {
    s.write(`${OK_HEAD}${BODY}`);
    await sleep(10);
    s.write('HTTP/1.1 201 Created\r\ncontent-length: 8\r\nx-smuggled: 1\r\n\r\nsmuggled');
  },
};

/** Which connection served each request, in order. */
const served: Array<{ path: string; connection: number }> = [];
let connections = 0;

/** One request head at a time per connection; every request has no body. */
function scripted(socket: net.Socket): void {
  const connection = ++connections;
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const line = buffered.slice(0, buffered.indexOf('\r\n'));
      buffered = buffered.slice(end + 4);
      const path = line.split(' ')[1] ?? '/';
      served.push({ path, connection });
      const behaviour = behaviours[path.split('?')[0]!];
      if (behaviour) void behaviour(socket);
      else socket.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    }
  });
}

interface Got {
  status: number | undefined;
  body: string;
  complete: boolean;
  headers: http.IncomingHttpHeaders;
  error?: string;
}

function get(base: string, path: string): Promise<Got> {
  return new Promise((resolve) => {
    const req = http.get(`${base}${path}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('close', () =>
        resolve({ status: res.statusCode, body, complete: res.complete, headers: res.headers }),
      );
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ status: undefined, body: '', complete: false, headers: {}, error: e.code }),
    );
  });
}

describe('a misbehaving backend', () => {
  let backend: RawServer;
  let stack: RunningSidecar;

  beforeAll(async () => {
    backend = await rawServer(scripted);
    stack = await startSidecar(backend.url, { UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS) });
  });
  afterAll(async () => {
    await stack?.close();
    await backend?.close();
  });

  const cases: Array<[string, (got: Got) => void, { status: string; errorType: string }]> = [
    [
      '/slow-headers',
      (got) => expect([got.status, got.complete, got.body]).toEqual([200, true, BODY]),
      { status: '200', errorType: '' },
    ],
    [
      '/endless-headers',
      (got) => expect([got.status, JSON.parse(got.body).code]).toEqual([504, 'UPSTREAM_TIMEOUT']),
      { status: '504', errorType: 'timeout' },
    ],
    [
      '/slow-body',
      (got) => expect([got.status, got.complete, got.body]).toEqual([200, true, BODY]),
      { status: '200', errorType: '' },
    ],
    [
      '/reset-mid-body',
      (got) => expect([got.status, got.complete, got.body.length < BODY.length]).toEqual([200, false, true]),
      { status: '200', errorType: 'upstream_reset' },
    ],
    [
      '/fin-mid-chunked',
      (got) => expect([got.status, got.complete]).toEqual([200, false]),
      { status: '200', errorType: 'upstream_reset' },
    ],
    [
      '/half-close',
      (got) => expect([got.status, JSON.parse(got.body).code]).toEqual([502, 'UPSTREAM_RESET']),
      { status: '502', errorType: 'upstream_reset' },
    ],
    [
      '/until-close',
      (got) => expect([got.status, got.complete, got.body]).toEqual([200, true, BODY]),
      { status: '200', errorType: '' },
    ],
    ...[
      '/ssh',
      '/binary',
      '/bad-length',
      '/two-lengths',
      '/length-and-chunked',
      '/bad-header-value',
      '/bare-lf',
    ].map(
      (path) =>
        [
          path,
          (got: Got) =>
            expect([got.status, JSON.parse(got.body).code]).toEqual([502, 'UPSTREAM_PROTOCOL_ERROR']),
          { status: '502', errorType: 'upstream_protocol_error' },
        ] as [string, (got: Got) => void, { status: string; errorType: string }],
    ),
  ];

  it.each(cases)(
    '%s: the client gets the right answer and the histogram says so',
    async (path, check, recorded) => {
      const before = await scrape(stack.adminUrl);
      const got = await get(stack.proxyUrl, path);
      check(got);
      const after = await scrape(stack.adminUrl);
      const count = (s: typeof after) =>
        valueOf(s, DURATION_COUNT, {
          http_response_status_code: recorded.status,
          error_type: recorded.errorType,
        }) || 0;
      expect(count(after) - count(before)).toBe(1);
      expect(valueOf(after, 'http_server_active_requests')).toBe(0);
    },
  );

  it('drops a pooled connection on which the backend sent bytes nobody asked for', async () => {
    const first = served.length;
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) {
      const got = await get(stack.proxyUrl, i % 2 === 0 ? '/unsolicited' : '/ok');
      answers.push(`${got.status} ${got.body === BODY} ${got.headers['x-smuggled'] ?? ''}`);
      // The stray response arrives while the connection is idle in the pool.
      await sleep(60);
    }
    expect(answers).toEqual(Array(10).fill('200 true '));
    // Each stray response cost its connection: the next request used a new one.
    const order = served.slice(first).filter((r) => r.path !== '/health');
    expect(order.map((r) => r.path)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? '/ok' : '/unsolicited')),
    );
    for (let i = 1; i < order.length; i += 2) expect(order[i]!.connection).not.toBe(order[i - 1]!.connection);
  });

  it('keeps well-behaved requests unaffected while every misbehaviour runs beside them', async () => {
    const paths = cases.map(([path]) => path);
    const before = await scrape(stack.adminUrl);
    const bad = runLoad(stack.proxyUrl, {
      total: paths.length * 4,
      concurrency: 16,
      spec: (i) => ({ path: paths[i % paths.length]! }),
    });
    const good = await runLoad(stack.proxyUrl, {
      total: 3_000,
      concurrency: 16,
      spec: () => ({ path: '/ok' }),
    });
    const badTally = await bad;
    console.log(`well-behaved beside misbehaving: ${summary(good)}; misbehaving: ${summary(badTally)}`);
    expect(statusCounts(good)).toEqual({ '200': 3_000 });
    expect(badTally.errors.size).toBe(0);
    const after = await scrape(stack.adminUrl);
    const delta = (status: string) =>
      (valueOf(after, DURATION_COUNT, { http_response_status_code: status }) || 0) -
      (valueOf(before, DURATION_COUNT, { http_response_status_code: status }) || 0);
    const expected = statusCounts(badTally);
    expected['200'] = (expected['200'] ?? 0) + 3_000;
    for (const [status, n] of Object.entries(expected)) expect(delta(status), `status ${status}`).toBe(n);
    expect((await fetch(`${stack.adminUrl}/health`)).status).toBe(200);
  });
});
