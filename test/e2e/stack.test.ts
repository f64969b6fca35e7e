import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSdk } from '../helpers/otlp-sdk.js';
import { Stack, waitUntil } from './stack.js';

/**
 * nginx → sidecar → FastAPI backend, scraped by a real Prometheus with the real alert rules,
 * checked through Prometheus' HTTP API the way a user would look at it.
 */

const HIGH_ERROR_RATE_ALERT = process.env.E2E_ERROR_ALERT ?? 'BackendHighErrorRate';
const UNREACHABLE_ALERT = process.env.E2E_UNREACHABLE_ALERT ?? 'BackendUnreachable';

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
      })
      .on('error', reject);
  });
}

const num = (result: Array<{ value: [number, string] }>) =>
  result.length ? Number(result[0]!.value[1]) : Number.NaN;

describe('the deployed stack, end to end', () => {
  const stack = new Stack();
  beforeAll(async () => {
    await stack.start();
  }, 60_000);
  afterAll(() => stack.close());

  it('counts every request per route and status as the client sent them, with plausible latency', async () => {
    const sent = { ok: 0, missing: 0, slow: 0 };
    const slowMs: number[] = [];
    for (let i = 1; i <= 30; i++) {
      expect((await get(`${stack.nginxUrl}/api/accounts/${i}`)).status).toBe(200);
      sent.ok++;
    }
    for (let i = 0; i < 7; i++) {
      expect((await get(`${stack.nginxUrl}/api/accounts/${5000 + i}`)).status).toBe(404);
      sent.missing++;
    }
    for (let i = 0; i < 10; i++) {
      const r = await get(`${stack.nginxUrl}/api/slow?ms=120`);
      expect(r.status).toBe(200);
      slowMs.push(r.ms);
      sent.slow++;
    }
    const count = (route: string, status: string) =>
      `sum(http_server_request_duration_seconds_count{http_route="${route}",http_response_status_code="${status}"})`;
    await waitUntil(
      'Prometheus to scrape the counts',
      async () => num(await stack.query(count('/api/slow', '200'))) === sent.slow,
    );
    expect(num(await stack.query(count('/api/accounts/{account_id}', '200')))).toBe(sent.ok);
    expect(num(await stack.query(count('/api/accounts/{account_id}', '404')))).toBe(sent.missing);

    const p50 = num(
      await stack.query(
        'histogram_quantile(0.5, sum by (le) (http_server_request_duration_seconds_bucket{http_route="/api/slow"}))',
      ),
    );
    const clientMedian = slowMs.sort((a, b) => a - b)[5]! / 1000;
    // the bucket holding 120 ms is (0.1, 0.25]: interpolation lands inside it, below what the client saw through nginx
    expect(p50).toBeGreaterThan(0.1);
    expect(p50).toBeLessThanOrEqual(0.25);
    expect(clientMedian).toBeGreaterThan(0.12);
  });

  it('a burst of backend 5xx turns the high-error-rate alert pending and reaches Sentry, grouped', async () => {
    // A counter that appears at 40 in its first scrape has no rate yet: let Prometheus see it at 1 first.
    expect((await get(`${stack.nginxUrl}/api/transfers/0/status`)).status).toBe(503);
    await waitUntil(
      'the first 5xx in Prometheus',
      async () =>
        num(
          await stack.query(
            'sum(http_server_request_duration_seconds_count{http_response_status_code="503"})',
          ),
        ) === 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    for (let i = 1; i <= 40; i++)
      expect((await get(`${stack.nginxUrl}/api/transfers/${i}/status`)).status).toBe(503);
    await waitUntil(
      `${HIGH_ERROR_RATE_ALERT} pending or firing`,
      async () => (await stack.alerts()).some((a) => a.labels.alertname === HIGH_ERROR_RATE_ALERT),
      30_000,
      250,
    );
    const events = await waitUntil2(async () => {
      const received = (await (await fetch(`${stack.sinkUrl}/__envelopes`)).json()) as Array<{
        envelope: {
          items: Array<{
            header: { type: string };
            payload?: { fingerprint?: string[]; message?: unknown; tags?: Record<string, string> };
          }>;
        };
      }>;
      const errors = received.flatMap((r) =>
        r.envelope.items.filter((i) => i.header.type === 'event').map((i) => i.payload!),
      );
      return errors.length > 0 ? errors : undefined;
    });
    const fingerprints = new Set(events.map((e) => JSON.stringify(e.fingerprint)));
    // forty failures of one route are one Sentry issue
    expect(fingerprints.size).toBe(1);
    expect(JSON.stringify(events[0])).toContain('/api/transfers/{transfer_id}/status');
  }, 60_000);

  it('passes an SSE stream and a WebSocket conversation through nginx and the sidecar intact', async () => {
    const res = await fetch(`${stack.nginxUrl}/api/stream?count=5&interval_ms=200`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const chunk = Buffer.from(value).toString();
      text += chunk;
      for (const m of chunk.matchAll(/data: (\{[^\n]*\})/g))
        arrivals.push(Date.now() - (JSON.parse(m[1]!) as { at: number }).at);
    }
    expect(text.match(/^id: \d+$/gm)).toHaveLength(5);
    // unbuffered: each event arrives as it is written, not when the stream ends (800 ms later)
    expect(Math.max(...arrivals)).toBeLessThan(150);

    const ws = new WebSocket(`${stack.nginxUrl.replace('http', 'ws')}/ws/echo`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const replies: string[] = [];
    ws.on('message', (d) => replies.push(String(d)));
    for (const m of ['balance?', 'transfer 10 EUR', 'ü✓']) ws.send(m);
    await waitUntil('echoes', async () => replies.length === 3, 5_000, 20);
    expect(replies).toEqual(['balance?', 'transfer 10 EUR', 'ü✓']);
    ws.close();
    await waitUntil(
      'the stream metrics in Prometheus',
      async () =>
        num(await stack.query('sum(http_server_stream_duration_seconds_count{stream_type="websocket"})')) >=
          1 &&
        num(await stack.query('sum(http_server_stream_duration_seconds_count{stream_type="sse"})')) >= 1,
      15_000,
      250,
    );
  });

  it('turns events pushed with the Python client into the right series', async () => {
    const chat = await fetch(`${stack.nginxUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'What is my balance?' }),
    });
    expect(chat.status).toBe(200);
    const burst = await fetch(`${stack.nginxUrl}/api/events/burst`, { method: 'POST' });
    const stats = (await burst.json()) as { accepted: number; rejected: number; dropped: number };
    expect(stats.rejected).toBe(0);
    expect(stats.dropped).toBe(0);
    await waitUntil(
      'ingested series in Prometheus',
      async () =>
        num(
          await stack.query('sum(app_transactions_total{transaction_type="transfer",outcome="success"})'),
        ) === 1,
      15_000,
      250,
    );
    expect(num(await stack.query('sum(gen_ai_client_token_usage_sum{gen_ai_token_type="input"})'))).toBe(420);
    expect(num(await stack.query('sum(app_chat_messages_total)'))).toBe(1);
    expect(num(await stack.query('sum(app_auth_attempts_total{outcome="success"})'))).toBe(1);
    expect(num(await stack.query('sum(app_speech_provider_fallbacks_total)'))).toBe(1);
    expect(
      num(await stack.query('sum(db_client_operation_duration_seconds_count{db_system_name="postgresql"})')),
    ).toBeGreaterThanOrEqual(30);
  });

  it('gives Prometheus the metrics an OpenTelemetry SDK pushes over OTLP, under the job that sent them', async () => {
    const sdk = startSdk({ adminUrl: stack.adminUrl, encoding: 'protobuf', temporality: 'delta' });
    const jobs = sdk.meter.createCounter('app.jobs.processed', { unit: '{job}' });
    const duration = sdk.meter.createHistogram('app.job.duration', { unit: 's' });
    for (let round = 0; round < 5; round++) {
      jobs.add(2, { queue: 'mail' });
      duration.record(0.5, { queue: 'mail' });
      await sdk.flush();
      await new Promise((r) => setTimeout(r, 400));
    }
    await sdk.shutdown();
    await waitUntil(
      'OTLP series in Prometheus',
      async () =>
        num(await stack.query('sum(app_jobs_processed_total{job="shop/checkout",queue="mail"})')) === 10,
      15_000,
      250,
    );
    expect(
      num(
        await stack.query('sum(app_job_duration_seconds_count{job="shop/checkout",instance="checkout-1"})'),
      ),
    ).toBe(5);
    expect(
      num(await stack.query('sum(target_info{job="shop/checkout",deployment_environment_name="test"})')),
    ).toBe(1);
    // The sidecar's own series keep the scrape target's job.
    expect(num(await stack.query('sum(up{job="observability-sidecar"})'))).toBe(1);
    expect(num(await stack.query('count(sidecar_otlp_series{job="observability-sidecar"})'))).toBe(1);
  });

  it('never exposes the admin port through nginx', async () => {
    for (const path of ['/metrics', '/ready', '/v1/events', '/v1/metrics', '/errors']) {
      const r = await get(`${stack.nginxUrl}${path}`, { host: `127.0.0.1:${stack.ports.admin}` });
      expect(r.body).not.toContain('sidecar_upstream_up');
      expect(r.body).not.toContain('"status":"ready"');
    }
  });

  it('stopping the backend turns the unreachable alert pending and /ready 503; restarting recovers', async () => {
    await stack.stopBackend();
    await waitUntil(
      '/ready 503',
      async () => (await fetch(`${stack.adminUrl}/ready`)).status === 503,
      10_000,
    );
    expect((await get(`${stack.nginxUrl}/api/accounts/1`)).status).toBe(502);
    await waitUntil(
      `${UNREACHABLE_ALERT} pending or firing`,
      async () => (await stack.alerts()).some((a) => a.labels.alertname === UNREACHABLE_ALERT),
      30_000,
      250,
    );
    await stack.startBackend();
    await waitUntil(
      '/ready 200',
      async () => (await fetch(`${stack.adminUrl}/ready`)).status === 200,
      10_000,
    );
    expect((await get(`${stack.nginxUrl}/api/accounts/1`)).status).toBe(200);
    await waitUntil(
      'sidecar_upstream_up back to 1',
      async () => num(await stack.query('sidecar_upstream_up')) === 1,
      15_000,
      250,
    );
  }, 60_000);
});

async function waitUntil2<T>(fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  let value: T | undefined;

  await waitUntil(
    'a value',
    async () => {
      value = await fn();
      return value !== undefined;
    },
    timeoutMs,
    200,
  );
  return value!;
}
