import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type DemoBackend, startDemoBackend } from '../../../examples/demo/backend.js';
import { type FailingBackend, startFailingBackend } from '../../fixtures/failing-backend.js';
import { eventually, sleep } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * How each way a WebSocket exchange can end is recorded: the same rules as an HTTP request's
 * (src/proxy/outcome.ts), seen through a real WebSocket client.
 */

const STREAMS = 'http_server_stream_duration_seconds_count';
/** Upstream failures counted so far (the counter has no series before the first). */
const upstreamErrors = (samples: Awaited<ReturnType<typeof scrape>>) =>
  valueOf(samples, 'sidecar_upstream_errors_total') || 0;

type Answer = { kind: 'open'; ws: WebSocket } | { kind: 'refused'; status: number; body: string };

/** Opens a WebSocket through the sidecar: the open socket, or the status and body it was refused with. */
function connect(stack: RunningSidecar, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${stack.proxyUrl.replace('http', 'ws')}${path}`);
    ws.once('open', () => resolve({ kind: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

/** The WebSocket streams recorded so far with these labels, once there are `count` of them. */
async function streamsRecorded(stack: RunningSidecar, labels: Record<string, string>, count = 1) {
  const match = { stream_type: 'websocket', ...labels };
  const samples = await eventually(async () => {
    const s = await scrape(stack.adminUrl);
    return valueOf(s, STREAMS, match) === count ? s : undefined;
  });
  return { samples, total: valueOf(samples, STREAMS, { stream_type: 'websocket' }) };
}

describe('WebSocket outcomes against a backend that refuses or fails upgrades', () => {
  let backend: FailingBackend;
  let stack: RunningSidecar;
  beforeAll(async () => {
    backend = await startFailingBackend();
    stack = await startSidecar(backend.url, { UPSTREAM_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await stack.close();
    await backend.close();
  });

  it('records a backend 5xx on an upgrade with the status as error_type, as on the HTTP path', async () => {
    const answer = await connect(stack, '/api/fail?status=503');
    expect(answer).toMatchObject({ kind: 'refused', status: 503 });
    const { samples } = await streamsRecorded(stack, { http_route: '/api/fail', error_type: '503' });
    expect(valueOf(samples, STREAMS, { http_route: '/api/fail', error_type: '' })).toBeNaN();
    // Every request, streams included, is counted once in the request histogram too.
    const requests = async () =>
      valueOf(await scrape(stack.adminUrl), 'http_server_request_duration_seconds_count', {
        http_route: '/api/fail',
        http_response_status_code: '503',
        error_type: '503',
      });
    expect(await requests()).toBe(1);
    // The HTTP path, for comparison: the same backend answer, the same error_type.
    await fetch(`${stack.proxyUrl}/api/fail?status=503`).then((r) => r.arrayBuffer());
    expect(await requests()).toBe(2);
    const after = await scrape(stack.adminUrl);
    expect(upstreamErrors(after)).toBe(0);
  });

  it('records an upgrade the backend refuses with a 4xx as no error', async () => {
    const answer = await connect(stack, '/ws/nowhere');
    expect(answer).toMatchObject({ kind: 'refused', status: 404 });
    await streamsRecorded(stack, { http_route: '__not_found__', error_type: '' });
  });

  it('records a client that leaves before the backend answers as client_abort, at once', async () => {
    const ws = new WebSocket(`${stack.proxyUrl.replace('http', 'ws')}/api/hang`);
    ws.on('error', () => {});
    await eventually(() => stack.sidecar.proxy.inFlight() === 1);
    ws.terminate();
    // Well within UPSTREAM_TIMEOUT_MS (1 s): the sidecar notices the client is gone.
    const started = Date.now();
    await streamsRecorded(stack, { http_route: '__unconfirmed__', error_type: 'client_abort' });
    expect(Date.now() - started).toBeLessThan(800);
    expect(stack.sidecar.proxy.inFlight()).toBe(0);
    expect(upstreamErrors(await scrape(stack.adminUrl))).toBe(0);
  });

  it('answers 504 UPSTREAM_TIMEOUT when the backend does not answer an upgrade within UPSTREAM_TIMEOUT_MS', async () => {
    const answer = await connect(stack, '/api/hang?n=2');
    expect(answer).toMatchObject({ kind: 'refused', status: 504 });
    if (answer.kind === 'refused') {
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'Gateway Timeout', code: 'UPSTREAM_TIMEOUT' });
    }
    const { samples } = await streamsRecorded(stack, { error_type: 'timeout' });
    expect(valueOf(samples, 'sidecar_upstream_errors_total', { error_type: 'timeout' })).toBe(1);
  });
});

describe('WebSocket outcomes against a backend that is down or answers', () => {
  it('answers 502 UPSTREAM_CONNECTION_REFUSED and records connection_refused when nothing listens', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const stack = await startSidecar(`http://127.0.0.1:${port}`);
    try {
      const answer = await connect(stack, '/ws/echo');
      expect(answer).toMatchObject({ kind: 'refused', status: 502 });
      if (answer.kind === 'refused') {
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'UPSTREAM_CONNECTION_REFUSED' });
      }
      await streamsRecorded(stack, { error_type: 'connection_refused' });
    } finally {
      await stack.close();
    }
  });

  describe('with a backend that accepts upgrades', () => {
    let backend: DemoBackend;
    let stack: RunningSidecar;
    beforeAll(async () => {
      backend = await startDemoBackend();
      stack = await startSidecar(backend.url);
    });
    afterAll(async () => {
      await stack.close();
      await backend.close();
    });

    it('records a conversation the client closes as no error', async () => {
      const answer = await connect(stack, '/ws/echo');
      if (answer.kind !== 'open') throw new Error(`refused with ${answer.status}`);
      const echoed = new Promise((resolve) => answer.ws.once('message', resolve));
      answer.ws.send('hello');
      expect(String(await echoed)).toBe('hello');
      answer.ws.close();
      await streamsRecorded(stack, { http_route: '/ws/echo', error_type: '' });
      await sleep(50);
      expect(stack.sidecar.proxy.inFlight()).toBe(0);
    });
  });
});
