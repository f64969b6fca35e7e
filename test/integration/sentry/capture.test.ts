import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailingBackend } from '../../fixtures/failing-backend.js';
import { parseMetrics, scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type SentryEvent, type SentrySink, SINK_PUBLIC_KEY, spansIn } from '../../helpers/sentry-sink.js';
import { type SentryStack, startSentryStack } from '../../helpers/sentry-stack.js';
import type { RunningSidecar } from '../../helpers/sidecar.js';

/**
 * The real Sentry SDK in the sidecar, sending to a local envelope sink in a child process:
 * what a 5xx or an upstream failure becomes in Sentry, how traces reach the backend, and the
 * exemplar that links a latency observation to its trace.
 */

const TRACE_ID = /^[0-9a-f]{32}$/;
let sink: SentrySink;
let backend: FailingBackend;
let stack: RunningSidecar;
let stop: SentryStack['stop'];
let counter = 0;

async function poll<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function requestId(): string {
  return `req-capture-${++counter}`;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const id = headers['x-request-id'] ?? requestId();
  const res = await fetch(`${stack.proxyUrl}${path}`, { headers: { 'x-request-id': id, ...headers } });
  const body = await res.text();
  return { status: res.status, body, id, seen: backend.seen.get(id) };
}

async function eventFor(id: string): Promise<SentryEvent> {
  return sink.waitFor((envelopes) => {
    const events = envelopes.flatMap((e) =>
      e.envelope.items.filter((i) => i.header.type === 'event').map((i) => i.payload as SentryEvent),
    );
    return events.find(
      (e) => (e.contexts?.sidecar as { request_id?: string } | undefined)?.request_id === id,
    );
  });
}

beforeAll(async () => {
  ({ sink, backend, stack, stop } = await startSentryStack({
    SENTRY_ENVIRONMENT: 'test',
    SENTRY_RELEASE: 'backend@1.2.3',
    SENTRY_TRACES_SAMPLE_RATE: '1',
    SENTRY_TRACES_ROUTE_SAMPLE_RATES: '/api/headers=0',
    SENTRY_USER_ID_HEADER: 'x-user-id',
    SENTRY_ATTACH_RESPONSE_BODY: 'true',
    UPSTREAM_TIMEOUT_MS: '400',
    ROUTE_PATTERNS: '/api/hang,/api/crash,/api/reset,/api/items/:id',
  }));
});

afterAll(() => stop?.());

describe('Sentry enabled', () => {
  it('logs the environment and sample rates at start-up and reports itself in /health', async () => {
    const line = stack.logs.lines.find((l) => String(l.msg).startsWith('Sentry error tracking enabled'));
    expect(line?.msg).toBe('Sentry error tracking enabled for environment test; traces sample rate 100%');
    expect(line).toMatchObject({ environment: 'test', release: 'backend@1.2.3', traces_sample_rate: 1 });
    expect(stack.logs.text()).not.toContain(sink.dsn);
    const health = (await (await fetch(`${stack.adminUrl}/health`)).json()) as {
      monitoring: { sentry: boolean };
    };
    expect(health.monitoring.sentry).toBe(true);
    expect(valueOf(await scrape(stack.adminUrl), 'sidecar_sentry_enabled')).toBe(1);
  });

  it('turns a backend 5xx into one event with fingerprint, tags, scrubbed request and trace', async () => {
    const r = await get('/api/fail?status=503&token=abc123secret&page=2', {
      'x-user-id': 'user-42',
      authorization: 'Bearer abc.def.ghi',
      cookie: 'session=s3cr3t',
    });
    expect(r.status).toBe(503);
    const event = await eventFor(r.id);
    expect(event.message).toBe('GET /api/fail → 503');
    expect(event.level).toBe('error');
    expect(event.fingerprint).toEqual(['backend-5xx', 'GET', '/api/fail', '503']);
    expect(event.tags).toMatchObject({
      route: '/api/fail',
      method: 'GET',
      status: '503',
      upstream: `127.0.0.1:${backend.port}`,
      error_type: '503',
      kind: 'backend_5xx',
    });
    expect(event.environment).toBe('test');
    expect(event.release).toBe('backend@1.2.3');
    // Identified as the Node SDK identifies its events.
    expect(event.platform).toBe('node');
    expect(event.server_name).toBe(hostname());
    expect(event.sdk).toMatchObject({ name: 'sentry.javascript.node' });
    expect(event.contexts?.runtime).toEqual({ name: 'node', version: process.version });
    expect(event.request).toMatchObject({
      method: 'GET',
      query_string: 'status=503&token=[Filtered]&page=2',
    });
    expect(String(event.request?.url)).toMatch(/\/api\/fail$/);
    const headers = event.request?.headers as Record<string, string>;
    expect(headers['x-request-id']).toBe(r.id);
    expect(headers).not.toHaveProperty('authorization');
    expect(headers).not.toHaveProperty('cookie');
    expect(headers).not.toHaveProperty('x-forwarded-for');
    expect(event.user).toEqual({ id: 'user-42' });
    expect(event.extra?.response_body_excerpt).toBe('{"detail":"simulated failure","status":503}');
    // The trace id of the event is the one the backend received.
    const trace = event.contexts?.trace as { trace_id: string; span_id: string };
    expect(trace.trace_id).toMatch(TRACE_ID);
    expect(r.seen?.['sentry-trace']).toBe(`${trace.trace_id}-${trace.span_id}-1`);
    expect(r.seen?.traceparent).toBe(`00-${trace.trace_id}-${trace.span_id}-01`);
    // Exactly one event for that request.
    const all = (await sink.events()).filter(
      (e) => (e.contexts?.sidecar as { request_id?: string })?.request_id === r.id,
    );
    expect(all).toHaveLength(1);
  });

  it('propagates sentry-trace, baggage and traceparent and streams the span that heads them', async () => {
    const r = await get('/api/items/7');
    expect(r.status).toBe(200);
    const sentryTrace = String(r.seen?.['sentry-trace']);
    const [traceId, spanId, sampled] = sentryTrace.split('-');
    expect(traceId).toMatch(TRACE_ID);
    expect(sampled).toBe('1');
    expect(r.seen?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    const baggage = String(r.seen?.baggage);
    expect(baggage).toContain(`sentry-trace_id=${traceId}`);
    expect(baggage).toContain('sentry-sampled=true');
    expect(baggage).toContain('sentry-environment=test');
    expect(baggage).toContain('sentry-release=backend%401.2.3');
    expect(baggage).toContain(`sentry-public_key=${SINK_PUBLIC_KEY}`);
    expect(baggage).toContain('sentry-transaction=GET%20%2Fapi%2Fitems%2F%7Bid%7D');
    const span = await sink.waitFor((envs) => spansIn(envs).find((s) => s.span_id === spanId));
    expect(span.trace_id).toBe(traceId);
    expect(span.name).toBe('GET /api/items/{id}');
    expect(span.is_segment).toBe(true);
    expect(span.attributes['http.route']?.value).toBe('/api/items/{id}');
    expect(span.attributes['http.response.status_code']?.value).toBe(200);
    expect(span.attributes['sentry.op']?.value).toBe('http.server');
  });

  it("names the span by the request's final label, not the template known at its start", async () => {
    // A scanner's path: the learned template at the start is the path itself, the label once
    // the backend has answered 404 is __not_found__, as in the metrics.
    const r = await get('/wp-login.php');
    expect(r.status).toBe(404);
    const spanId = String(r.seen?.['sentry-trace']).split('-')[1];
    expect(String(r.seen?.baggage)).toContain('sentry-transaction=GET%20%2Fwp-login.php');
    const span = await sink.waitFor((envs) => spansIn(envs).find((s) => s.span_id === spanId));
    expect(span.name).toBe('GET __not_found__');
    expect(span.attributes['http.route']?.value).toBe('__not_found__');
  });

  it('puts the trace id of a traced request as an exemplar on its duration observation', async () => {
    const r = await get('/api/items/8');
    const traceId = String(r.seen?.['sentry-trace']).split('-')[0];
    const res = await fetch(`${stack.adminUrl}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    const text = await res.text();
    const lines = text
      .split('\n')
      .filter(
        (l) => l.startsWith('http_server_request_duration_seconds_bucket') && l.includes('/api/items/{id}'),
      );
    expect(lines.some((l) => l.includes(`# {trace_id="${traceId}"}`))).toBe(true);
    // The Prometheus text format carries no exemplars.
    expect(await (await fetch(`${stack.adminUrl}/metrics`)).text()).not.toContain('trace_id=');
  });

  it('continues a caller trace, keeps foreign baggage and drops untrusted Sentry entries', async () => {
    const callerTrace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const callerSpan = 'bbbbbbbbbbbbbbbb';
    const r = await get('/api/items/9', {
      'sentry-trace': `${callerTrace}-${callerSpan}-1`,
      baggage: `sentry-trace_id=${callerTrace},sentry-sample_rate=1,sentry-sample_rand=0.25,sentry-transaction=jane%40example.com,sentry-user_id=jane,vendor=keep`,
    });
    const [traceId, spanId] = String(r.seen?.['sentry-trace']).split('-');
    expect(traceId).toBe(callerTrace);
    expect(spanId).not.toBe(callerSpan);
    const baggage = String(r.seen?.baggage);
    expect(baggage).toContain('vendor=keep');
    expect(baggage).toContain('sentry-sample_rand=0.25');
    expect(baggage).not.toContain('user_id');
    expect(baggage).not.toContain('example.com');
    const span = await sink.waitFor((envs) => spansIn(envs).find((s) => s.span_id === spanId));
    expect(span.parent_span_id).toBe(callerSpan);
  });

  it('honours per-route sample rates: an unsampled request still carries a consistent trace', async () => {
    const r = await get('/api/headers');
    const [traceId, spanId, sampled] = String(r.seen?.['sentry-trace']).split('-');
    expect(sampled).toBe('0');
    expect(r.seen?.traceparent).toBe(`00-${traceId}-${spanId}-00`);
    expect(String(r.seen?.baggage)).toContain('sentry-sampled=false');
    expect(String(r.seen?.baggage)).toContain('sentry-sample_rate=0');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await sink.spans()).some((s) => s.trace_id === traceId)).toBe(false);
  });

  it('leaves excluded routes untraced and their trace headers untouched', async () => {
    const clientTrace = 'cccccccccccccccccccccccccccccccc-dddddddddddddddd-1';
    const r = await get('/health', { 'sentry-trace': clientTrace });
    expect(r.status).toBe(200);
    expect(r.seen?.['sentry-trace']).toBe(clientTrace);
    expect(r.seen?.baggage).toBeUndefined();
  });

  it('reports a 504 timeout as an upstream failure grouped by failure type and route', async () => {
    const r = await get('/api/hang');
    expect(r.status).toBe(504);
    const event = await eventFor(r.id);
    expect(event.message).toBe('Upstream timeout: GET /api/hang → 504');
    expect(event.fingerprint).toEqual(['upstream-failure', 'timeout', '/api/hang']);
    expect(event.tags).toMatchObject({ kind: 'upstream_failure', error_type: 'timeout', status: '504' });
    expect(event.contexts?.sidecar?.failure_code).toBe('UPSTREAM_TIMEOUT');
  });

  it('reports a 502 when the backend drops the connection, and a reset in the middle of a body', async () => {
    const crash = await get('/api/crash');
    expect(crash.status).toBe(502);
    const crashEvent = await eventFor(crash.id);
    expect(crashEvent.fingerprint).toEqual(['upstream-failure', 'upstream_reset', '/api/crash']);
    expect(crashEvent.message).toBe('Upstream reset: GET /api/crash → 502');

    const reset = await fetch(`${stack.proxyUrl}/api/reset`, { headers: { 'x-request-id': 'req-reset' } })
      .then((res) => res.arrayBuffer())
      .catch((error: unknown) => error);
    expect(reset).toBeInstanceOf(Error);
    const resetEvent = await eventFor('req-reset');
    expect(resetEvent.fingerprint).toEqual(['upstream-failure', 'upstream_reset', '/api/reset']);
    expect(resetEvent.message).toBe('Upstream reset: GET /api/reset broke off after 200');
  });

  it('sends backend-reported errors through the same path, linked to their trace', async () => {
    const traceId = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
    const result = stack.sidecar.errors.captureAppError({
      message: 'balance lookup failed for account 12',
      errorType: 'LookupError',
      component: 'accounts',
      level: 'error',
      stack: [
        'Traceback (most recent call last):',
        '  File "/app/api/routes.py", line 10, in get_balance',
        '    return service.balance(account_id)',
        '  File "/app/services/accounts.py", line 42, in balance',
        '    raise LookupError("no account")',
        'LookupError: balance lookup failed',
      ].join('\n'),
      context: { attempt: 2 },
      traceId,
      requestId: 'req-app-1',
    });
    expect(result.outcome).toBe('queued');
    const event = await eventFor('req-app-1');
    const exception = event.exception?.values[0] as {
      type: string;
      value: string;
      stacktrace: { frames: Array<{ filename: string; function: string; lineno: number }> };
    };
    expect(exception.type).toBe('LookupError');
    expect(exception.value).toBe('balance lookup failed for account 12');
    expect(exception.stacktrace.frames.map((f) => f.function)).toEqual(['get_balance', 'balance']);
    expect(event.fingerprint).toEqual([
      'app-error',
      'accounts',
      'LookupError',
      '/app/services/accounts.py:balance',
    ]);
    expect(event.tags).toMatchObject({ component: 'accounts', error_type: 'LookupError', kind: 'app_error' });
    expect(event.extra).toEqual({ attempt: 2 });
    expect(event.contexts?.trace?.trace_id).toBe(traceId);
  });

  it("sends an error event's exception chain posted to the ingest API, frames, lines and scrubbed variables", async () => {
    const res = await fetch(`${stack.adminUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'error',
        message: 'charge failed',
        error_type: 'PaymentError',
        request_id: 'req-app-chain',
        trace_id: 'f'.repeat(32),
        span_id: 'a'.repeat(16),
        exception: [
          { type: 'ConnectionError', value: 'refused' },
          {
            type: 'PaymentError',
            value: 'charge failed for jane@example.com',
            stacktrace: {
              frames: [
                {
                  filename: 'app/payments.py',
                  function: 'charge',
                  lineno: 42,
                  in_app: true,
                  context_line: 'raise PaymentError(msg)',
                  vars: { token: "'sk_live_abc'", amount: '12' },
                },
              ],
            },
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const event = await eventFor('req-app-chain');
    const values = event.exception?.values as Array<{
      type: string;
      value: string;
      stacktrace?: {
        frames: Array<{ function: string; context_line?: string; vars?: Record<string, unknown> }>;
      };
    }>;
    expect(values.map((v) => v.type)).toEqual(['ConnectionError', 'PaymentError']);
    expect(values[1]!.value).not.toContain('jane@example.com');
    const frame = values[1]!.stacktrace!.frames[0]!;
    expect(frame).toMatchObject({ function: 'charge', context_line: 'raise PaymentError(msg)' });
    expect(frame.vars).toMatchObject({ amount: '12' });
    expect(JSON.stringify(frame.vars)).not.toContain('sk_live_abc');
    expect(event.contexts?.trace?.trace_id).toBe('f'.repeat(32));
  });

  it('lists recent errors at GET /errors with their Sentry event ids, newest first', async () => {
    type Listing = {
      sentry: { enabled: boolean; environment: string };
      errors: Array<{ kind: string; message: string; sentry_event_id: string | null; sentry: string }>;
    };
    const body = await poll(
      async () => (await (await fetch(`${stack.adminUrl}/errors`)).json()) as Listing,
      (listing) => listing.errors.every((e) => e.sentry === 'sent'),
    );
    expect(body.sentry).toEqual({ enabled: true, environment: 'test' });
    expect(body.errors[0]?.kind).toBe('app_error');
    const events = await sink.events();
    const ids = new Set(events.map((e) => e.event_id));
    for (const entry of body.errors) {
      expect(entry.sentry_event_id).toMatch(/^[0-9a-f]{32}$/);
      expect(ids.has(entry.sentry_event_id!)).toBe(true);
      expect(entry.sentry).toBe('sent');
    }
    const limited = (await (await fetch(`${stack.adminUrl}/errors?limit=1&kind=backend_5xx`)).json()) as {
      errors: Array<{ kind: string }>;
    };
    expect(limited.errors).toHaveLength(1);
    expect(limited.errors[0]?.kind).toBe('backend_5xx');
  });

  it('counts every event the sink accepted as sent, with the other outcomes at zero', async () => {
    const received = (await sink.events()).length;
    const samples = await poll(
      async () => parseMetrics(await (await fetch(`${stack.adminUrl}/metrics`)).text()),
      (s) => valueOf(s, 'sidecar_sentry_events_total', { outcome: 'sent' }) === received,
    );
    expect(valueOf(samples, 'sidecar_sentry_events_total', { outcome: 'sent' })).toBe(received);
    for (const outcome of ['rate_limited', 'sentry_rate_limited', 'queue_overflow', 'filtered', 'dropped']) {
      expect(valueOf(samples, 'sidecar_sentry_events_total', { outcome })).toBe(0);
    }
  });

  it('reports connection refused once the backend is gone', async () => {
    await backend.close();
    const r = await get('/api/items/1');
    expect(r.status).toBe(502);
    const event = await eventFor(r.id);
    expect(event.fingerprint).toEqual(['upstream-failure', 'connection_refused', '/api/items/{id}']);
    expect(event.tags?.error_type).toBe('connection_refused');
  });
});
