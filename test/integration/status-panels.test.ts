import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, json, request } from '../helpers/http.js';
import { postEvents } from '../helpers/ingest.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { startStack } from '../helpers/sidecar.js';

/**
 * The panels of /status.json beside the routes: backend, Sentry and recent errors, ingest,
 * system and the sidecar's own, each held against /metrics, /health or /errors of the same
 * running sidecar.
 */

const INGEST_TOKEN = 'status-panels-token-0123456789abcdef';
let stack: Awaited<ReturnType<typeof startStack>>;
let dsnPort: number;

// biome-ignore lint/suspicious/noExplicitAny: the document's shape is what the test reads
type Status = any;
const status = async (): Promise<Status> => json(await request(`${stack.adminUrl}/status.json`));

beforeAll(async () => {
  dsnPort = await freePort();
  stack = await startStack({
    ROUTE_PATTERNS: '/api/slow,/api/fail',
    SENTRY_DSN: `http://0123456789abcdef0123456789abcdef:topsecretpass@127.0.0.1:${dsnPort}/7`,
    SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE: '100',
    INGEST_TOKEN,
  });
});

afterAll(() => stack.close());

describe('the Sentry panel and /health', () => {
  it('say sending is paused, since when, why and when the next probe goes, while Sentry refuses connections', async () => {
    expect(json<Status>(await request(`${stack.adminUrl}/health`)).sentry.state).toBe('sending');
    for (let i = 0; i < 6; i++) await request(`${stack.proxyUrl}/api/fail?status=500`);
    let health: Status;
    for (let tries = 0; tries < 50; tries++) {
      health = json(await request(`${stack.adminUrl}/health`));
      if (health.sentry.state === 'paused') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(health.sentry).toMatchObject({ state: 'paused', reason: 'ECONNREFUSED' });
    expect(Date.parse(health.sentry.since)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(health.sentry.next_probe_at)).toBeGreaterThan(Date.parse(health.sentry.since));
    const samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, 'sidecar_sentry_unreachable', {})).toBe(1);

    const s = await status();
    expect(s.errors.sentry.state).toBe('paused');
    expect(s.errors.sentry.since).toBe(health.sentry.since);
    // The recent errors are those of /errors, newest first, with their event ids.
    const listed = json<{ errors: Array<{ id: number; sentry_event_id: string | null }> }>(
      await request(`${stack.adminUrl}/errors`),
    ).errors;
    expect(s.errors.recent.length).toBe(Math.min(10, listed.length));
    expect(s.errors.recent.map((e: Status) => e.sentry_event_id)).toEqual(
      listed.slice(0, 10).map((e) => e.sentry_event_id),
    );
    expect(s.errors.recent[0].sentry_event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(s.errors.recent[0].tags).toMatchObject({ route: '/api/fail', status: '500' });
  });
});

describe('the backend panel', () => {
  it('shows the pool, upstream errors by type and in-flight requests as /metrics has them', async () => {
    const slow = [0, 1, 2].map(() => request(`${stack.proxyUrl}/api/slow?ms=1500`));
    await new Promise((r) => setTimeout(r, 300));
    const s = await status();
    const samples = await scrape(stack.adminUrl);
    expect(s.backend.pool.active).toBe(
      valueOf(samples, 'sidecar_upstream_pool_connections', { http_connection_state: 'active' }),
    );
    expect(s.backend.pool.active).toBeGreaterThanOrEqual(3);
    expect(s.backend.pool.max).toBe(valueOf(samples, 'sidecar_upstream_pool_max_connections', {}));
    expect(s.backend.pool.queued).toBe(0);
    const row = s.routes.find((r: Status) => r.route === '/api/slow' && r.method === 'GET');
    expect(row.in_flight).toBe(3);
    await Promise.all(slow);
    const after = (await status()).routes.find((r: Status) => r.route === '/api/slow');
    expect(after.in_flight).toBe(0);
    expect(after.last_minute.requests).toBe(3);

    await request(`${stack.proxyUrl}/api/crash`);
    const errors = (await status()).backend.upstream_errors;
    const counted = await scrape(stack.adminUrl);
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    for (const [type, n] of Object.entries(errors))
      expect(n).toBe(valueOf(counted, 'sidecar_upstream_errors_total', { error_type: type }));
    // No process configured: nothing to show, rather than zeros.
    expect(s.backend.process).toBeNull();
  });
});

describe('the ingest panel', () => {
  it('shows events by type with rates, duplicates, refusals with their last reasons and budget use', async () => {
    await status(); // a first reading, for the rates
    const auth = { authorization: `Bearer ${INGEST_TOKEN}` };
    const ok = await postEvents(
      stack.adminUrl,
      {
        events: [
          { type: 'cache.operation', operation: 'get', result: 'hit', cache: 'sessions', event_id: 'e-1' },
          { type: 'cache.operation', operation: 'get', result: 'hit', cache: 'sessions', event_id: 'e-1' },
          { type: 'cache.operation', operation: 'get', result: 'miss', cache: 'profiles' },
          { type: 'cache.operation', operation: 'get' },
        ],
      },
      { headers: auth },
    );
    expect(ok.status).toBe(200);
    expect((await postEvents(stack.adminUrl, '{not json', { headers: auth })).status).toBe(400);
    expect((await postEvents(stack.adminUrl, { events: [] })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1100));
    const s = await status();
    const samples = await scrape(stack.adminUrl);
    const cache = s.ingest.events.find((e: Status) => e.type === 'cache.operation');
    const cacheTotal = ['accepted', 'rejected', 'duplicate']
      .map(
        (outcome) =>
          valueOf(samples, 'sidecar_ingest_events_total', { type: 'cache.operation', outcome }) ?? 0,
      )
      .reduce((a, b) => a + b, 0);
    expect(cache.total).toBe(cacheTotal);
    expect(cache.total).toBe(4);
    expect(cache.per_second).toBeGreaterThan(0);
    expect(s.ingest.duplicates).toBe(1);
    for (const [reason, n] of Object.entries(s.ingest.rejections))
      expect(n).toBe(valueOf(samples, 'sidecar_ingest_rejections_total', { reason }));
    expect(s.ingest.rejections).toMatchObject({ unauthorized: 1, malformed_json: 1 });
    const codes = s.ingest.recent_rejections.map((r: Status) => r.code);
    expect(codes.slice(0, 2)).toEqual(['unauthorized', 'malformed_json']);
    expect(s.ingest.recent_rejections[2]).toMatchObject({
      code: 'invalid_value',
      reason: 'events[3].result: must be one of hit, miss, ok, error',
    });
    const budget = s.ingest.label_budgets.find(
      (b: Status) => b.type === 'cache.operation' && b.field === 'cache',
    );
    expect(budget).toMatchObject({ used: 2 });
    expect(budget.limit).toBeGreaterThan(2);
  });
});

describe('the ingest panel with OTLP metrics in', () => {
  it('shows OTLP data points, refusals by reason and series against the limit as /metrics has them', async () => {
    const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [kv('service.name', 'bank')] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'app.logins',
                  gauge: {
                    dataPoints: [
                      { attributes: [kv('channel', 'web')], asInt: '3' },
                      { attributes: [kv('user', 'ann@example.com')], asInt: '1' },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await request(`${stack.adminUrl}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
      body,
    });
    expect(res.status).toBe(200);
    const otlp = (await status()).ingest.otlp;
    const samples = await scrape(stack.adminUrl);
    expect(otlp.accepted).toBe(valueOf(samples, 'sidecar_otlp_data_points_total', { outcome: 'accepted' }));
    expect(otlp.accepted).toBe(1);
    expect(otlp.rejected).toEqual({ personal_data: 1 });
    expect(otlp.series).toBe(valueOf(samples, 'sidecar_otlp_series', {}));
    expect(otlp.series).toBe(2); // the gauge's series and target_info
    expect(otlp.series_limit).toBe(10_000);
  });
});

describe('the system and sidecar panels', () => {
  it('show host figures as /metrics has them and the configuration without its secrets', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const s = await status();
    const samples = await scrape(stack.adminUrl);
    expect(s.system.host.cpus).toBe(valueOf(samples, 'system_cpu_logical_count', {}));
    expect(s.system.host.memory_limit_bytes).toBe(valueOf(samples, 'system_memory_limit_bytes', {}));
    expect(s.system.certificates).toEqual({ expiring_first: [], failed_checks: [] });
    expect(s.sidecar.rss_bytes).toBeGreaterThan(10_000_000);
    expect(s.sidecar.cpu_cores).toBeGreaterThanOrEqual(0);
    const config = s.sidecar.config;
    expect(config.sentry.dsn).toBe('(set)');
    expect(config.ingest.token).toBe('(set)');
    expect(config.routes.patterns).toEqual(['/api/slow', '/api/fail']);
    expect(config.upstream.url).toBe(`${stack.backend.url}/`);
    const text = JSON.stringify(s);
    expect(text).not.toContain('topsecretpass');
    expect(text).not.toContain('0123456789abcdef0123456789abcdef');
    expect(text).not.toContain(INGEST_TOKEN);
  });
});
