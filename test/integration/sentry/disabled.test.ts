import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FailingBackend, startFailingBackend } from '../../fixtures/failing-backend.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/** Without SENTRY_DSN: the sidecar starts normally, says so once, and still lists errors. */

let backend: FailingBackend;
let stack: RunningSidecar;

beforeAll(async () => {
  backend = await startFailingBackend();
  stack = await startSidecar(backend.url, { UPSTREAM_TIMEOUT_MS: '300', ROUTE_PATTERNS: '/api/hang' });
});

afterAll(async () => {
  await stack?.close();
  await backend?.close();
});

describe('Sentry disabled', () => {
  it('logs exactly one warning that error tracking is disabled', () => {
    const warnings = stack.logs.lines.filter((l) => String(l.msg).includes('error tracking is disabled'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe('warn');
    expect(stack.logs.lines.some((l) => String(l.msg).startsWith('Sentry error tracking enabled'))).toBe(
      false,
    );
  });

  it('reports sentry: false in /health and exports the Sentry metrics at zero', async () => {
    const health = (await (await fetch(`${stack.adminUrl}/health`)).json()) as {
      monitoring: { sentry: boolean };
    };
    expect(health.monitoring.sentry).toBe(false);
    const samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, 'sidecar_sentry_enabled')).toBe(0);
    expect(valueOf(samples, 'sidecar_sentry_events_total', { outcome: 'sent' })).toBe(0);
  });

  it('proxies without touching trace headers', async () => {
    const res = await fetch(`${stack.proxyUrl}/api/items/3`, { headers: { 'x-request-id': 'plain' } });
    expect(res.status).toBe(200);
    const seen = backend.seen.get('plain');
    expect(seen?.['sentry-trace']).toBeUndefined();
    expect(seen?.traceparent).toBeUndefined();
    expect(seen?.baggage).toBeUndefined();
  });

  it('lists 5xx responses, upstream failures and backend-reported errors at GET /errors', async () => {
    expect((await fetch(`${stack.proxyUrl}/api/fail?status=503&token=abc`)).status).toBe(503);
    expect((await fetch(`${stack.proxyUrl}/api/hang`)).status).toBe(504);
    const result = stack.sidecar.errors.captureAppError({
      message: 'cache miss storm for jane@example.com',
      errorType: 'CacheError',
      component: 'cache',
    });
    expect(result.outcome).toBe('local_only');
    const body = (await (await fetch(`${stack.adminUrl}/errors`)).json()) as {
      sentry: { enabled: boolean };
      count: number;
      errors: Array<{ kind: string; message: string; sentry_event_id: string | null; sentry: string }>;
    };
    expect(body.sentry.enabled).toBe(false);
    expect(body.errors.map((e) => e.kind)).toEqual(['app_error', 'upstream_failure', 'backend_5xx']);
    expect(body.errors.map((e) => e.message)).toEqual([
      'CacheError: cache miss storm for [Filtered]',
      'Upstream timeout: GET /api/hang → 504',
      'GET /api/fail → 503',
    ]);
    expect(body.errors.every((e) => e.sentry_event_id === null && e.sentry === 'disabled')).toBe(true);
  });

  it('refuses a bad limit on GET /errors', async () => {
    expect((await fetch(`${stack.adminUrl}/errors?limit=0`)).status).toBe(400);
    expect((await fetch(`${stack.adminUrl}/errors?limit=abc`)).status).toBe(400);
  });
});
