import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListeningBackend, listenOnLoopback, request } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * The race of every keep-alive pool: the backend closes a connection just as the sidecar sends
 * the next request on it. This backend closes every connection, unanswered, at its second
 * request, as uvicorn does with a connection it will not reuse; each request it sees is listed.
 */
let backend: ListeningBackend;
let sidecar: RunningSidecar;
const seen: string[] = [];
const served = new WeakMap<Socket, number>();

beforeAll(async () => {
  backend = await listenOnLoopback((req, res) => {
    const socket = req.socket;
    const count = (served.get(socket) ?? 0) + 1;
    served.set(socket, count);
    seen.push(`${req.method} ${req.url} #${count}`);
    if (count > 1) return void socket.destroy();
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  sidecar = await startSidecar(backend.url, { UPSTREAM_HEALTH_INTERVAL_MS: '60000' });
});

afterAll(async () => {
  await sidecar?.close();
  await backend?.close();
});

/** One request that opens a pooled connection, then `method path` on that connection. */
async function secondOnConnection(method: string, path: string, body?: string) {
  seen.length = 0;
  expect((await request(`${sidecar.proxyUrl}/first`)).status).toBe(200);
  const headers = body === undefined ? {} : { 'content-type': 'text/plain' };
  return request(`${sidecar.proxyUrl}${path}`, { method, headers, body });
}

const resent = async () => valueOf(await scrape(sidecar.adminUrl), 'sidecar_upstream_resent_requests_total');

describe('a pooled connection the backend closed', () => {
  it('sends an idempotent request without a body again on a new connection', async () => {
    const before = await resent();
    const res = await secondOnConnection('GET', '/items/7');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('ok');
    expect(seen).toEqual(['GET /first #1', 'GET /items/7 #2', 'GET /items/7 #1']);
    expect(await resent()).toBe(before + 1);
    const samples = await scrape(sidecar.adminUrl);
    expect(
      valueOf(samples, 'http_server_request_duration_seconds_count', { http_response_status_code: '502' }),
    ).toBeNaN();
  });

  it('sends it again once only, and answers 502 when the second connection fails too', async () => {
    seen.length = 0;
    // Two pooled connections, both of which the backend closes at their next request.
    const [a, b] = await Promise.all([
      request(`${sidecar.proxyUrl}/first`),
      request(`${sidecar.proxyUrl}/first`),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const res = await request(`${sidecar.proxyUrl}/items/8`, { method: 'DELETE' });
    expect(res.status).toBe(502);
    expect(seen.filter((s) => s.startsWith('DELETE'))).toEqual(['DELETE /items/8 #2', 'DELETE /items/8 #2']);
  });

  it('answers 502 for a request that is not idempotent', async () => {
    const before = await resent();
    const res = await secondOnConnection('POST', '/pay');
    expect(res.status).toBe(502);
    expect(seen).toEqual(['GET /first #1', 'POST /pay #2']);
    expect(await resent()).toBe(before);
  });

  it('answers 502 for a request whose body was already sent', async () => {
    const before = await resent();
    const res = await secondOnConnection('PUT', '/items/9', 'new name');
    expect(res.status).toBe(502);
    expect(seen).toEqual(['GET /first #1', 'PUT /items/9 #2']);
    expect(await resent()).toBe(before);
  });
});
