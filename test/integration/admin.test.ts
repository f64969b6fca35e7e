import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, request } from '../helpers/http.js';
import { parseMetrics } from '../helpers/prometheus-text.js';
import { startStack } from '../helpers/sidecar.js';

describe('admin port', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack();
    await eventually(async () => (await request(`${stack.adminUrl}/ready`)).status === 200);
  });
  afterAll(() => stack.close());

  it('serves Prometheus text by default and OpenMetrics when asked', async () => {
    await request(`${stack.proxyUrl}/api/users/1`);
    const text = await request(`${stack.adminUrl}/metrics`);
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = text.body.toString();
    expect(body).toContain('# TYPE sidecar_upstream_errors_total counter');
    expect(body).toContain('sidecar_route_overflow_total 0');
    expect(body).toContain('process_cpu_seconds_total');
    expect(parseMetrics(body).length).toBeGreaterThan(50);

    const om = await request(`${stack.adminUrl}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const omBody = om.body.toString();
    expect(omBody.endsWith('# EOF\n')).toBe(true);
    expect(omBody).toContain('# TYPE sidecar_route_overflow counter');
    expect(omBody).toContain('sidecar_route_overflow_total 0');

    // an OpenMetrics scrape must not rename counters for the next Prometheus-format scrape
    const again = (await request(`${stack.adminUrl}/metrics`)).body.toString();
    expect(again).toContain('# TYPE sidecar_route_overflow_total counter');
  });

  it('reports liveness with version, uptime, upstream and enabled parts', async () => {
    const res = await request(`${stack.adminUrl}/health`);
    expect(res.status).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({ status: 'ok', upstream: { reachable: true, url: stack.backend.url } });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.monitoring).toMatchObject({ prometheus: true });
  });

  it('is ready while the backend answers its probe, and says why not otherwise', async () => {
    expect(json(await request(`${stack.adminUrl}/ready`))).toEqual({ status: 'ready' });
    const metrics = (await request(`${stack.adminUrl}/metrics`)).body.toString();
    expect(metrics).toContain('sidecar_upstream_up 1');
  });

  it('answers unknown admin paths with a JSON 404', async () => {
    const res = await request(`${stack.adminUrl}/nope`);
    expect(res.status).toBe(404);
    expect(json(res).message).toBe('no admin endpoint GET /nope');
  });

  it('is never reachable through the proxy port, whatever the path or Host', async () => {
    for (const path of ['/metrics', '/ready', '/health', '/v1/events', '//metrics', '/%2e%2e/metrics']) {
      for (const host of [`127.0.0.1:${stack.adminPort}`, `localhost:${stack.adminPort}`, 'sidecar:9464']) {
        const res = await request(`${stack.proxyUrl}${path}`, { headers: { host } });
        expect(res.body.toString()).not.toContain('sidecar_upstream_up');
        expect(res.body.toString()).not.toContain('"status":"ready"');
      }
    }
  });

  it('turns not ready with a reason when the backend goes away', async () => {
    await stack.backend.close();
    const res = await eventually(async () => {
      const r = await request(`${stack.adminUrl}/ready`);
      return r.status === 503 ? r : undefined;
    });
    expect(json(res).reason).toMatch(/GET \/health failed/);
    expect((await request(`${stack.adminUrl}/metrics`)).body.toString()).toContain('sidecar_upstream_up 0');
  });
});
