import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN } from '../helpers/child-sidecar.js';
import { json, request } from '../helpers/http.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { startSidecar, startStack } from '../helpers/sidecar.js';

/** GET /status.json: the status page's data, from the sidecar's own windows of recent traffic. */
let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  stack = await startStack({ ROUTE_PATTERNS: '/api/users/{id}' });
});

afterAll(() => stack.close());

interface Row {
  method: string;
  route: string;
  last_minute: { requests: number; success_rate: number | null; p50_seconds: number | null };
  last_10_minutes: { requests: number };
  error_types: Record<string, number>;
  series: { requests: number[] };
}

describe('GET /status.json', () => {
  it('lists each route with the counts /metrics has, failures and unmatched paths apart', async () => {
    for (let i = 0; i < 20; i++) await request(`${stack.proxyUrl}/api/users/${i}`);
    for (let i = 0; i < 4; i++) await request(`${stack.proxyUrl}/api/fail?status=503`);
    await request(`${stack.proxyUrl}/wp-login.php`);
    const res = await request(`${stack.adminUrl}/status.json`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const status = json<{
      routes: Row[];
      unmatched: Row[];
      backend: { up: boolean };
      sidecar: { version: string };
    }>(res);
    const samples = await scrape(stack.adminUrl);
    for (const row of [...status.routes, ...status.unmatched]) {
      const counted = valueOf(samples, 'http_server_request_duration_seconds_count', {
        http_request_method: row.method,
        http_route: row.route,
      });
      expect(row.last_minute.requests, row.route).toBe(counted);
      expect(row.series.requests.reduce((a, b) => a + b, 0)).toBe(counted);
    }
    const users = status.routes.find((r) => r.route === '/api/users/{id}')!;
    expect(users.last_minute).toMatchObject({ requests: 20, success_rate: 1 });
    expect(users.last_minute.p50_seconds).toBeGreaterThan(0);
    const failing = status.routes.find((r) => r.route === '/api/fail')!;
    expect(failing.last_minute.success_rate).toBe(0);
    expect(failing.error_types).toEqual({ '503': 4 });
    expect(status.unmatched.map((r) => r.route)).toEqual(['__not_found__']);
    expect(status.backend.up).toBe(true);
    expect(status.sidecar.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('GET /', () => {
  it('serves the status page under a Content-Security-Policy its inline script and style satisfy', async () => {
    const res = await request(`${stack.adminUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body.toString();
    const csp = String(res.headers['content-security-policy']);
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    // Nothing from elsewhere: no src or href but the inline favicon.
    expect([...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual(['data:,']);
  });

  it('is off, with /status.json, when STATUS_PAGE=false', async () => {
    const off = await startSidecar(stack.backend.url, { STATUS_PAGE: 'false' });
    try {
      expect((await request(`${off.adminUrl}/`)).status).toBe(404);
      expect((await request(`${off.adminUrl}/status.json`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

describe('observability-sidecar top', () => {
  it('prints the route table of a running sidecar', async () => {
    for (let i = 0; i < 3; i++) await request(`${stack.proxyUrl}/api/users/${i}`);
    const { stdout } = await promisify(execFile)(process.execPath, [
      MAIN,
      'top',
      '--admin',
      stack.adminUrl,
      '--once',
    ]);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^observability-sidecar \d+\.\d+\.\d+, up \d+ min, backend up$/);
    expect(lines[2]).toMatch(/^METHOD\s+ROUTE\s+RPS\s+SUCCESS\s+P50\s+P95\s+P99\s+RPS 10M\s+ERRORS$/);
    expect(lines.some((l) => /^GET\s+\/api\/users\/\{id\}\s+[\d.]+\s+100%/.test(l))).toBe(true);
    expect(lines.some((l) => /^GET\s+\/api\/fail\s.*\b503x4\b/.test(l))).toBe(true);
  });

  it('says what is wrong when the admin port cannot be read', async () => {
    const run = promisify(execFile)(process.execPath, [
      MAIN,
      'top',
      '--admin',
      'http://127.0.0.1:9',
      '--once',
    ]);
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('observability-sidecar top:'),
    });
  });
});
