import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { parseMetrics, scrape, valueOf } from '../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../helpers/sidecar.js';

const COUNT = 'http_server_request_duration_seconds_count';

describe('HTTP metrics after a known sequence of requests', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ ROUTE_PATTERNS: '/api/accounts/:account_id/transactions' });
  });
  afterAll(() => stack.close());

  it('counts exactly what was sent, per route template, method and status', async () => {
    for (const id of [1, 2, 3]) await request(`${stack.proxyUrl}/api/users/${id}`);
    await request(`${stack.proxyUrl}/api/users/5000`); // the backend's 404 for a missing user
    await request(`${stack.proxyUrl}/api/users/4?token=abc`);
    await request(`${stack.proxyUrl}/api/accounts/ACC-77/transactions`);
    await request(`${stack.proxyUrl}/api/accounts/ACC-78/transactions`, {
      method: 'POST',
      body: 'x'.repeat(500),
    });
    for (let i = 0; i < 2; i++) await request(`${stack.proxyUrl}/api/fail?status=503`);
    await request(`${stack.proxyUrl}/wp-login.php`);
    await request(`${stack.proxyUrl}/.env`);
    await request(`${stack.proxyUrl}/api/users/1`, { method: 'PROPFIND' });
    await request(`${stack.proxyUrl}/api/echo`, { method: 'POST', body: Buffer.alloc(1234) });

    const samples = await scrape(stack.adminUrl);
    const count = (labels: Record<string, string>) => valueOf(samples, COUNT, labels);
    expect(
      count({
        http_request_method: 'GET',
        http_route: '/api/users/{id}',
        http_response_status_code: '200',
        error_type: '',
      }),
    ).toBe(4);
    expect(
      count({
        http_request_method: 'GET',
        http_route: '/api/users/{id}',
        http_response_status_code: '404',
        error_type: '',
      }),
    ).toBe(1);
    expect(
      count({
        http_request_method: 'GET',
        http_route: '/api/accounts/{account_id}/transactions',
        http_response_status_code: '200',
      }),
    ).toBe(1);
    expect(
      count({ http_request_method: 'POST', http_route: '/api/accounts/{account_id}/transactions' }),
    ).toBe(1);
    expect(
      count({
        http_request_method: 'GET',
        http_route: '/api/fail',
        http_response_status_code: '503',
        error_type: '503',
      }),
    ).toBe(2);
    expect(count({ http_route: '__not_found__', http_response_status_code: '404' })).toBe(2);
    expect(count({ http_request_method: '_OTHER', http_route: '/api/users/{id}' })).toBe(1);
    expect(count({})).toBe(13);

    expect(valueOf(samples, 'http_server_request_body_size_bytes_sum', { http_route: '/api/echo' })).toBe(
      1234,
    );
    expect(valueOf(samples, 'http_server_response_body_size_bytes_sum', { http_route: '/api/echo' })).toBe(
      1234,
    );
    expect(
      valueOf(samples, 'http_server_request_body_size_bytes_sum', {
        http_route: '/api/accounts/{account_id}/transactions',
        http_request_method: 'POST',
      }),
    ).toBe(500);
    expect(
      valueOf(samples, 'sidecar_upstream_response_headers_duration_seconds_count', {
        http_route: '/api/users/{id}',
      }),
    ).toBe(6);
    expect(valueOf(samples, 'http_server_active_requests', {})).toBe(0);

    // no raw path, id or query value ever becomes a label
    const labelValues = samples.flatMap((s) => Object.values(s.labels));
    for (const leaked of ['/api/users/1', 'ACC-77', 'abc', '/wp-login.php', '/.env', 'PROPFIND'])
      expect(labelValues).not.toContain(leaked);
  });

  it('measures durations that match what the client saw', async () => {
    const started = performance.now();
    await request(`${stack.proxyUrl}/api/slow?ms=300`);
    const clientSeconds = (performance.now() - started) / 1000;
    const samples = await scrape(stack.adminUrl);
    const recorded = valueOf(samples, 'http_server_request_duration_seconds_sum', {
      http_route: '/api/slow',
    });
    expect(recorded).toBeGreaterThanOrEqual(0.3);
    expect(recorded).toBeLessThanOrEqual(clientSeconds);
    expect(
      valueOf(samples, 'http_server_request_duration_seconds_bucket', {
        http_route: '/api/slow',
        le: '0.25',
      }),
    ).toBe(0);
    expect(
      valueOf(samples, 'http_server_request_duration_seconds_bucket', { http_route: '/api/slow', le: '0.5' }),
    ).toBe(1);
  });
});

describe('the route budget under 100,000 distinct URLs', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ MAX_ROUTES: '50' });
  });
  afterAll(() => stack.close());

  it('keeps the series count bounded', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(`${stack.proxyUrl}${path}`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
    // ids, scanner probes, and thousands of genuinely distinct shapes the backend answers with 200
    const word = (i: number) =>
      i.toString(26).replace(/./g, (c) => String.fromCharCode(97 + Number.parseInt(c, 26)));
    const paths = (i: number) => {
      switch (i % 4) {
        case 0:
          return `/api/users/${i}?q=${i}`;
        case 1:
          return `/probe-${i.toString(36)}/admin.php`;
        case 2:
          return `/api/catalog/${word(i)}`;
        default:
          return `/api/accounts/${i}/transactions`;
      }
    };
    const total = 100_000;
    let next = 0;
    const workers = Array.from({ length: 32 }, async () => {
      while (next < total) await get(paths(next++));
    });
    const started = Date.now();
    await Promise.all(workers);
    agent.destroy();
    const samples = parseMetrics(await (await fetch(`${stack.adminUrl}/metrics`)).text());
    const routes = new Set(samples.filter((s) => s.name === COUNT).map((s) => s.labels.http_route));
    const series = samples.filter((s) => s.name === COUNT).length;
    console.log(
      `100,000 requests in ${Date.now() - started} ms: ${routes.size} routes, ${series} label sets in the duration histogram`,
    );
    expect(routes.has('__not_found__')).toBe(true);
    // 50 admitted templates plus the three reserved labels
    expect(routes.size).toBeLessThanOrEqual(53);
    // The catalog's slugs kept multiplying: one {param} template, no series per slug left.
    expect(routes.has('/api/catalog/{param}')).toBe(true);
    expect([...routes].filter((r) => r?.startsWith('/api/catalog/') && r !== '/api/catalog/{param}')).toEqual(
      [],
    );
    expect(valueOf(samples, COUNT, {})).toBe(total);
    expect(valueOf(samples, 'sidecar_routes', {})).toBeLessThanOrEqual(50);
    // one label set per route and status seen: bounded by the budget, not by the URLs
    expect(series).toBeLessThanOrEqual(60);
  }, 120_000);
});
