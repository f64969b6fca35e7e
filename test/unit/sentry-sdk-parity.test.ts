import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createRegistry } from '../../src/metrics/registry.js';
import type { SentryBackend } from '../../src/sentry/backend.js';
import { SentryMetrics } from '../../src/sentry/metrics.js';
import { OwnDsc } from '../../src/sentry/own-dsc.js';
import { sentryOptions, startSdkBackend } from '../../src/sentry/sdk-backend.js';
import { decideTrace } from '../../src/sentry/trace-propagation.js';

/**
 * The sidecar builds the baggage of unsampled requests itself, without a Sentry span; this holds
 * it next to what the real SDK derives for a span with the same decision. It also pins the SDK
 * options the sidecar depends on. Nothing is sent: the DSN points at a closed port.
 */

let backend: SentryBackend;
let registry: Registry;

const env = {
  UPSTREAM_URL: 'http://127.0.0.1:8000',
  SENTRY_DSN: 'http://abcdef0123456789abcdef0123456789@127.0.0.1:9/7',
  SENTRY_ENVIRONMENT: 'parity',
  SENTRY_RELEASE: 'backend@2.0.0',
};

beforeAll(() => {
  const config = loadConfig(env).sentry;
  registry = createRegistry();
  backend = startSdkBackend({
    config: { ...config, dsn: config.dsn! },
    metrics: new SentryMetrics(registry, true),
    onDelivered: () => {},
  });
});

afterAll(() => backend.close(100));

describe('the sidecar and the Sentry SDK agree', () => {
  it('on the baggage of a new trace', () => {
    const decision = decideTrace(undefined, 1, () => 0.42);
    const span = backend.startRequestSpan(decision, 'GET /api/users/:id', { 'http.route': '/api/users/:id' });
    const ours = new OwnDsc(backend.identity).baggage(decision, 'GET%20%2Fapi%2Fusers%2F%3Aid');
    expect(ours).toBe(span.baggage);
    span.end(200);
  });

  it('on the baggage of a continued trace', () => {
    const decision = decideTrace(
      {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        parentSpanId: '00f067aa0ba902b7',
        parentSampled: true,
        dsc: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', sample_rate: '0.5', public_key: 'caller' },
      },
      0.1,
      () => 0.3,
    );
    expect(decision.sampled).toBe(true);
    const span = backend.startRequestSpan(decision, 'GET /x', {});
    const ours = new OwnDsc(backend.identity).object(decision, 'GET /x');
    const sdk = Object.fromEntries(
      span.baggage
        .split(',')
        .map((m) => [m.slice(7, m.indexOf('=')), decodeURIComponent(m.slice(m.indexOf('=') + 1))]),
    );
    expect(ours).toEqual(sdk);
    span.end(200);
  });

  it('on options: no default integrations, data collection off, tracing by the sidecar sampler', () => {
    const config = loadConfig(env).sentry;
    const options = sentryOptions({
      config: { ...config, dsn: config.dsn! },
      metrics: new SentryMetrics(createRegistry(), true),
      onDelivered: () => {},
    });
    expect(options.defaultIntegrations).toBe(false);
    expect(options.integrations).toEqual([]);
    expect(options.dataCollection).toMatchObject({
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      stackFrameVariables: false,
    });
    expect(options).not.toHaveProperty('sendDefaultPii');
    expect(options).not.toHaveProperty('enableTracing');
    expect(typeof options.tracesSampler).toBe('function');
    expect(options.transportOptions?.bufferSize).toBe(64);
    const untraced = sentryOptions({
      config: { ...config, dsn: config.dsn!, enableTracing: false },
      metrics: new SentryMetrics(createRegistry(), true),
      onDelivered: () => {},
    });
    expect(untraced.tracesSampleRate).toBe(0);
    expect(untraced.tracesSampler).toBeUndefined();
  });
});
