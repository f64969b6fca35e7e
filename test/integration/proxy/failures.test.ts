import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBackend } from '../../../examples/demo/backend.js';
import { eventually, freePort, json, request, sleep } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar, startStack } from '../../helpers/sidecar.js';

const DURATION_COUNT = 'http_server_request_duration_seconds_count';

describe('upstream failures', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ UPSTREAM_TIMEOUT_MS: '400' });
  });
  afterAll(() => stack.close());

  it('answers 504 with a JSON body when no headers arrive in time', async () => {
    const started = Date.now();
    const res = await request(`${stack.proxyUrl}/api/hang`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(res.status).toBe(504);
    const body = json(res);
    expect(body).toMatchObject({ error: 'Gateway Timeout', code: 'UPSTREAM_TIMEOUT' });
    expect(body.request_id).toBe(res.headers['x-request-id']);
    const samples = await scrape(stack.adminUrl);
    expect(
      valueOf(samples, DURATION_COUNT, { http_response_status_code: '504', error_type: 'timeout' }),
    ).toBe(1);
    expect(valueOf(samples, 'sidecar_upstream_errors_total', { error_type: 'timeout' })).toBe(1);
  });

  it('answers 502 when the backend drops the connection before answering', async () => {
    const res = await request(`${stack.proxyUrl}/api/crash`);
    expect(res.status).toBe(502);
    expect(json(res)).toMatchObject({ code: 'UPSTREAM_RESET' });
    const samples = await scrape(stack.adminUrl);
    expect(
      valueOf(samples, DURATION_COUNT, { http_response_status_code: '502', error_type: 'upstream_reset' }),
    ).toBe(1);
  });

  it('aborts the client connection when the backend resets mid-body', async () => {
    const outcome = await new Promise<string>((resolve) => {
      http
        .get(`${stack.proxyUrl}/api/reset`, { agent: false }, (res) => {
          expect(res.statusCode).toBe(200);
          res.on('data', () => {});
          res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete-end'));
          res.on('aborted', () => resolve('aborted'));
          res.on('error', () => resolve('aborted'));
        })
        .on('error', () => resolve('aborted'));
    });
    expect(outcome).not.toBe('complete');
    const samples = await eventually(async () => {
      const s = await scrape(stack.adminUrl);
      return valueOf(s, DURATION_COUNT, { http_route: '/api/reset' }) === 1 ? s : undefined;
    });
    expect(
      valueOf(samples, DURATION_COUNT, {
        http_route: '/api/reset',
        http_response_status_code: '200',
        error_type: 'upstream_reset',
      }),
    ).toBe(1);
  });

  it('records a client that leaves early as 499 and aborts the upstream request', async () => {
    const controller = new AbortController();
    const pending = fetch(`${stack.proxyUrl}/api/slow?ms=5000`, { signal: controller.signal }).catch(
      () => 'aborted',
    );
    await sleep(150);
    controller.abort();
    expect(await pending).toBe('aborted');
    const samples = await eventually(async () => {
      const s = await scrape(stack.adminUrl);
      return valueOf(s, DURATION_COUNT, { http_response_status_code: '499' }) === 1 ? s : undefined;
    });
    expect(
      valueOf(samples, DURATION_COUNT, { http_response_status_code: '499', error_type: 'client_abort' }),
    ).toBe(1);
    expect(valueOf(samples, 'http_server_active_requests', {})).toBe(0);
    // the backend saw its socket close: its pending timer must not keep the connection busy
    expect(stack.sidecar.proxy.inFlight()).toBe(0);
  });
});

describe('backend unreachable', () => {
  it('answers 502 UPSTREAM_CONNECTION_REFUSED on a closed port', async () => {
    const port = await freePort();
    const running = await startSidecar(`http://127.0.0.1:${port}`);
    try {
      const res = await request(`${running.proxyUrl}/api/users/1`);
      expect(res.status).toBe(502);
      expect(json(res)).toMatchObject({ error: 'Bad Gateway', code: 'UPSTREAM_CONNECTION_REFUSED' });
      const samples = await scrape(running.adminUrl);
      expect(
        valueOf(samples, DURATION_COUNT, { http_route: '__unconfirmed__', error_type: 'connection_refused' }),
      ).toBe(1);
      expect(valueOf(samples, 'sidecar_upstream_errors_total', { error_type: 'connection_refused' })).toBe(1);
      const ready = await request(`${running.adminUrl}/ready`);
      expect(ready.status).toBe(503);
      expect(json(ready).reason).toMatch(/ECONNREFUSED/);
    } finally {
      await running.close();
    }
  });

  it('answers 502 UPSTREAM_DNS_FAILURE when the host does not resolve', async () => {
    const running = await startSidecar('http://backend.invalid:8000');
    try {
      const res = await request(`${running.proxyUrl}/x`);
      expect(res.status).toBe(502);
      expect(json(res)).toMatchObject({ code: 'UPSTREAM_DNS_FAILURE' });
    } finally {
      await running.close();
    }
  });

  it('recovers when the backend comes back', async () => {
    const backend = await startDemoBackend();
    const port = backend.port;
    await backend.close();
    const running = await startSidecar(`http://127.0.0.1:${port}`);
    try {
      expect((await request(`${running.proxyUrl}/api/users/1`)).status).toBe(502);
      const again = await startDemoBackend(port);
      try {
        expect((await request(`${running.proxyUrl}/api/users/1`)).status).toBe(200);
        await eventually(async () => (await request(`${running.adminUrl}/ready`)).status === 200);
      } finally {
        await again.close();
      }
    } finally {
      await running.close();
    }
  });
});

describe('a client that stops reading', () => {
  it('is cut off after CLIENT_SEND_TIMEOUT_MS, releasing the backend connection', async () => {
    const stack = await startStack({ CLIENT_SEND_TIMEOUT_MS: '500' });
    try {
      const port = (stack.sidecar.proxy.server.address() as net.AddressInfo).port;
      const client = net.connect(port, '127.0.0.1');
      client.on('error', () => {});
      await new Promise<void>((resolve) => client.once('connect', resolve));
      // 1 GiB asked for, nothing read: the socket buffers fill and the sidecar must wait on the client.
      client.pause();
      client.write('GET /api/download?bytes=1073741824 HTTP/1.1\r\nHost: bank.example\r\n\r\n');
      await eventually(async () => stack.sidecar.proxy.inFlight() === 1);
      const stalledSince = Date.now();
      await eventually(async () => stack.sidecar.proxy.inFlight() === 0, 10_000);
      // The buffers between backend and client fill within moments; then the timeout runs.
      expect(Date.now() - stalledSince).toBeGreaterThanOrEqual(450);
      client.destroy();
      const agent = stack.sidecar.proxy.agent;
      // The backend socket is destroyed with the exchange; the agent lets go of it when its
      // 'close' event comes, a moment after the exchange is counted as finished.
      const busy = () => Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
      await eventually(async () => busy() === 0, 2_000);
      const samples = await scrape(stack.adminUrl);
      expect(
        valueOf(samples, DURATION_COUNT, {
          http_route: '/api/download',
          http_response_status_code: '200',
          error_type: 'client_timeout',
        }),
      ).toBe(1);
      expect(stack.logs.text()).toContain('CLIENT_SEND_TIMEOUT_MS');
    } finally {
      await stack.close();
    }
  });
});
