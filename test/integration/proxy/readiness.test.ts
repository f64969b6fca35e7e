import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, json, type ListeningBackend, listenOnLoopback, request } from '../../helpers/http.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * Readiness for backends nobody modified: without UPSTREAM_HEALTH_PATH any answer below 500
 * from UPSTREAM_URL means up; with it, that path must answer 2xx or 3xx. The state is logged
 * once known and at each change, with the reason.
 */
/** No UPSTREAM_HEALTH_PATH (empty is unset), probed often. */
const UNSET = { UPSTREAM_HEALTH_PATH: '', UPSTREAM_HEALTH_INTERVAL_MS: '100' };

let backend: ListeningBackend | undefined;
let sidecar: RunningSidecar | undefined;

afterEach(async () => {
  await sidecar?.close();
  await backend?.close();
  sidecar = undefined;
  backend = undefined;
});

/** A backend with no health endpoint: everything is a 404, `/api/items` excepted. */
const noHealthEndpoint: http.RequestListener = (req, res) => {
  res.writeHead(req.url === '/api/items' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{}');
};

const healthLines = (s: RunningSidecar) =>
  s.logs.lines.map((l) => `${String(l.level)}: ${String(l.msg)}`).filter((l) => l.includes('backend is'));

async function readiness(s: RunningSidecar): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`${s.adminUrl}/ready`);
  return { status: res.status, body: json(res) };
}

describe('readiness', () => {
  it('is ready on a 404 from a backend with no health endpoint, and logs why once', async () => {
    backend = await listenOnLoopback(noHealthEndpoint);
    sidecar = await startSidecar(backend.url, UNSET);
    await eventually(async () => (await readiness(sidecar!)).status === 200);
    await new Promise((r) => setTimeout(r, 350));
    expect(healthLines(sidecar)).toEqual([
      'info: backend is up: GET / answered 404 (without UPSTREAM_HEALTH_PATH, any answer below 500 means up)',
    ]);
  });

  it('is not ready on a 5xx without UPSTREAM_HEALTH_PATH, and says so', async () => {
    backend = await listenOnLoopback((_req, res) => res.writeHead(503).end());
    sidecar = await startSidecar(backend.url, UNSET);
    await eventually(() => healthLines(sidecar!).length > 0);
    expect(healthLines(sidecar)).toEqual([
      'warn: backend is down: GET / answered 503 (without UPSTREAM_HEALTH_PATH, any answer below 500 means up)',
    ]);
    expect(await readiness(sidecar)).toMatchObject({ status: 503, body: { status: 'not_ready' } });
  });

  it('asks UPSTREAM_HEALTH_PATH for 2xx or 3xx when it is set', async () => {
    backend = await listenOnLoopback(noHealthEndpoint);
    sidecar = await startSidecar(backend.url, {
      UPSTREAM_HEALTH_INTERVAL_MS: '100',
      UPSTREAM_HEALTH_PATH: '/health',
    });
    await eventually(() => healthLines(sidecar!).length > 0);
    expect(healthLines(sidecar)).toEqual([
      'warn: backend is down: GET /health answered 404 (UPSTREAM_HEALTH_PATH must answer 2xx or 3xx)',
    ]);
    expect((await readiness(sidecar)).status).toBe(503);
  });

  it('logs a backend that is down at start, and again when it comes up', async () => {
    // A port that nothing listens on yet: the backend starts there later.
    const probe = await listenOnLoopback(noHealthEndpoint);
    const url = probe.url;
    await probe.close();
    sidecar = await startSidecar(url, UNSET);
    await eventually(() => healthLines(sidecar!).length > 0);
    expect(healthLines(sidecar)[0]).toMatch(/^warn: backend is down: GET \/ failed: ECONNREFUSED/);
    expect((await readiness(sidecar)).body.reason).toMatch(/GET \/ failed: ECONNREFUSED/);

    backend = await listenOnLoopback(noHealthEndpoint, Number(new URL(url).port));
    await eventually(async () => (await readiness(sidecar!)).status === 200, 5_000);
    expect(healthLines(sidecar)).toHaveLength(2);
    expect(healthLines(sidecar)[1]).toBe(
      'info: backend is up: GET / answered 404 (without UPSTREAM_HEALTH_PATH, any answer below 500 means up)',
    );
  });
});
