import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../helpers/sidecar.js';
import {
  headerValues,
  parseRequestStream,
  type RecordingBackend,
  rawRequest,
  recordingBackend,
  statusesIn,
} from './support/raw.js';

/**
 * Request-smuggling probes over raw sockets. A message whose framing two HTTP implementations
 * could read differently is refused with 400 before any of it reaches the backend; one that is
 * merely unusual is normalised, so the backend reads exactly the message the sidecar read. A
 * recording backend parses everything it receives strictly: one Host, one framing, CRLF only, no
 * bytes left over. Each probe ends with a pipelined `GET /canary` on the same client connection,
 * and the backend must never see the request hidden in a probe's body (`GET /smuggled`).
 */

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
const CANARY = 'GET /canary HTTP/1.1\r\nHost: sidecar\r\nConnection: close\r\n\r\n';

/** Probes whose framing is ambiguous or invalid: 400, and nothing reaches the backend. */
const REFUSED: Record<string, string> = {
  'Content-Length with Transfer-Encoding': `POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: ${5 + SMUGGLED.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding with Content-Length': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n${SMUGGLED}\r\n0\r\n\r\n`,
  'two different Content-Length': `POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'two equal Content-Length': `POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: ${SMUGGLED.length}\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'Content-Length as a list': `POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: ${SMUGGLED.length}, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'Content-Length with a sign': `POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: +${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'Content-Length in hex': `POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding not ending in chunked': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding xchunked': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'Transfer-Encoding twice': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'space before the colon': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'vertical tab in Transfer-Encoding': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'obsolete line folding': `GET /p HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n`,
  'obsolete line folding of Transfer-Encoding': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'chunk size not hex': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${SMUGGLED}\r\n0\r\n\r\n`,
  'negative chunk size': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n`,
  'chunk size overflowing 64 bits': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000a\r\n${SMUGGLED}\r\n0\r\n\r\n`,
  'chunk size with 0x': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`,
  'chunk data longer than its size': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n`,
  'bare LF ending the request line': `GET /p HTTP/1.1\nHost: a\r\n\r\n`,
  'bare LF ending a header': `GET /p HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n`,
  'bare LF ending the head': `GET /p HTTP/1.1\r\nHost: a\r\n\n`,
  'bare LF in a chunk size line': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`,
  'bare CR in a header': `GET /p HTTP/1.1\r\nHost: a\r\nX-A: b\rX-B: c\r\n\r\n`,
  'NUL in a header value': `GET /p HTTP/1.1\r\nHost: a\r\nX-A: b\x00c\r\n\r\n`,
  'Content-Length in the trailers': `POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
  'HTTP/1.0 with Transfer-Encoding': `POST /p HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
  'HTTP/1.1 without Host': 'GET /p HTTP/1.1\r\n\r\n',
  'unknown HTTP version': `GET /p HTTP/1.2\r\nHost: a\r\n\r\n`,
  'HTTP/2 preface': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
};

/** Unusual but unambiguous messages: forwarded, in a form the backend reads exactly as the sidecar did. */
const NORMALISED: Record<string, { probe: string; body: number }> = {
  'chunk extensions': {
    probe:
      'POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n',
    body: 5,
  },
  'trailer fields': {
    probe:
      'POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n',
    body: 5,
  },
  'gzip, chunked': {
    probe: 'POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    body: 5,
  },
  'Content-Length with leading zeros': {
    probe: 'POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\n\r\nhello',
    body: 5,
  },
  'a body announced by Content-Length that holds a request': {
    probe: `POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    body: SMUGGLED.length,
  },
  'tab around a header value': { probe: 'GET /p HTTP/1.1\r\nHost: a\r\nX-A:\tb\t\r\n\r\n', body: 0 },
  'two Host fields': { probe: 'GET /p HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', body: 0 },
  'HTTP/1.0': { probe: 'GET /p HTTP/1.0\r\nHost: a\r\n\r\n', body: 0 },
  'two spaces in the request line': { probe: 'GET  /p HTTP/1.1\r\nHost: a\r\n\r\n', body: 0 },
  'an h2c upgrade offer (curl --http2)': {
    probe:
      'GET /p HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    body: 0,
  },
};

describe('request smuggling probes', () => {
  let backend: RecordingBackend;
  let stack: RunningSidecar;

  beforeAll(async () => {
    backend = await recordingBackend({ hold: (r) => r.target === '/hold' });
    // The probe asks /health, which the filters below leave out.
    stack = await startSidecar(backend.url, { UPSTREAM_TIMEOUT_MS: '500', UPSTREAM_HEALTH_PATH: '/health' });
  });
  afterAll(async () => {
    await stack?.close();
    await backend?.close();
  });

  it.each(Object.entries(REFUSED))(
    'refuses %s with 400, and none of it reaches the backend',
    async (_name, probe) => {
      const before = backend.requests().length;
      const answer = await rawRequest(stack.proxyPort, `${probe}${CANARY}`, { waitMs: 1_000 });
      expect(statusesIn(answer.text)).toEqual([400]);
      expect(answer.text).toContain('"code":"BAD_REQUEST"');
      expect(answer.ended).toBe('closed');
      const reached = backend
        .requests()
        .slice(before)
        .filter((r) => r.target !== '/health');
      expect(reached.map((r) => r.target)).toEqual([]);
    },
  );

  it.each(Object.entries(NORMALISED))(
    'normalises %s: the backend reads what the sidecar read',
    async (_name, { probe, body }) => {
      const before = backend.requests().length;
      const answer = await rawRequest(stack.proxyPort, `${probe}${CANARY}`, { waitMs: 1_000 });
      const reached = backend
        .requests()
        .slice(before)
        .filter((r) => r.target !== '/health');
      // HTTP/1.0 closes after its response; after an Upgrade offer a client may not pipeline
      // (RFC 9110 §7.8: the server could switch protocols). No canary is read for those.
      const noCanary = probe.includes('HTTP/1.0\r\n') || probe.includes('Upgrade:');
      expect(reached.map((r) => r.target)).toEqual(noCanary ? ['/p'] : ['/p', '/canary']);
      expect(statusesIn(answer.text)).toEqual(noCanary ? [200] : [200, 200]);
      expect(reached[0]!.body.length).toBe(body);
      expect(headerValues(reached[0]!, 'host')).toHaveLength(1);
      // Hop-by-hop headers, and those the client's Connection names, stay with the sidecar.
      for (const name of ['upgrade', 'http2-settings', 'te', 'trailer', 'keep-alive']) {
        expect(headerValues(reached[0]!, name), name).toEqual([]);
      }
    },
  );

  it('leaves every backend connection readable from start to end: one request after another, nothing left over', () => {
    expect(backend.connections.length).toBeGreaterThan(0);
    for (const connection of backend.connections) {
      expect(connection.error, `connection ${connection.id}`).toBeUndefined();
      // A request cut short is only ever the last on its connection, and that connection is closed.
      const { incomplete } = parseRequestStream(connection.bytes);
      if (incomplete) expect(connection.closed, `connection ${connection.id}`).toBe(true);
    }
    expect(backend.requests().some((r) => r.target === '/smuggled')).toBe(false);
  });

  it('sends nothing more on a backend connection after a request it marked Connection: close', async () => {
    const before = backend.connections.length;
    for (let i = 0; i < 3; i++) {
      const answer = await rawRequest(
        stack.proxyPort,
        'POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' +
          'GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      );
      expect(statusesIn(answer.text)).toEqual([200, 200]);
    }
    for (const connection of backend.connections.slice(before)) {
      const requests = connection.requests.filter((r) => r.target !== '/health');
      const closing = requests.findIndex((r) => headerValues(r, 'connection').some((v) => /close/i.test(v)));
      if (closing !== -1) expect(requests.length, `connection ${connection.id}`).toBe(closing + 1);
    }
  });

  it('does not send a request whose client was answered while it waited for a backend connection', async () => {
    const tight = await startSidecar(backend.url, {
      UPSTREAM_MAX_SOCKETS: '1',
      UPSTREAM_TIMEOUT_MS: '300',
      UPSTREAM_HEALTH_PATH: '/health',
    });
    try {
      // The only pooled connection is busy with a response whose body never ends; the second
      // request waits for it and gets 504 after UPSTREAM_TIMEOUT_MS.
      const first = rawRequest(tight.proxyPort, 'GET /hold HTTP/1.1\r\nHost: a\r\n\r\n', { waitMs: 800 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await rawRequest(tight.proxyPort, 'GET /queued HTTP/1.1\r\nHost: a\r\n\r\n', {
        waitMs: 500,
      });
      expect(statusesIn(second.text)).toEqual([504]);
      // The first client leaves, which frees the connection: the second request is not sent after all.
      await first;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(backend.requests().filter((r) => r.target === '/hold')).toHaveLength(1);
      expect(backend.requests().filter((r) => r.target === '/queued')).toEqual([]);
    } finally {
      await tight.close();
    }
  });

  it('counts every refusal', async () => {
    const samples = await scrape(stack.adminUrl);
    // Refused from the head: never forwarded, counted as rejected. Refused from the body, once
    // forwarding had begun: answered on the request's own response and recorded with it.
    const fromHead = valueOf(samples, 'sidecar_rejected_requests_total', { error_type: 'bad_request' });
    const fromBody = valueOf(samples, 'http_server_request_duration_seconds_count', {
      http_response_status_code: '400',
    });
    expect(fromHead).toBeGreaterThan(15);
    expect(fromBody).toBeGreaterThan(5);
    expect(fromHead + fromBody).toBe(Object.keys(REFUSED).length);
  });
});
