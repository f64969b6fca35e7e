import { debug } from '@sentry/core';
import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/log/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { SentryMetrics } from '../../../src/sentry/metrics.js';
import { releaseOf, sentryOptions } from '../../../src/sentry/sdk/client-options.js';
import { createSentryClient } from '../../../src/sentry/sdk/sentry-client.js';
import { OwnDsc } from '../../../src/sentry/tracing/own-dsc.js';
import { spanEnvelope } from '../../../src/sentry/tracing/span-envelope.js';
import { decideTrace, type TraceDecision } from '../../../src/sentry/tracing/trace-propagation.js';

/**
 * The sidecar builds trace baggage and span envelopes itself instead of through Sentry span
 * objects (for speed). Here the real SDK is the reference: for the same trace, its span's
 * baggage and its span envelope must match what the sidecar builds. Nothing leaves the process.
 */

const PUBLIC_KEY = 'abcdef0123456789abcdef0123456789';
const ENVIRONMENT = 'parity';
const RELEASE = 'backend@2.0.0';
const bodies: string[] = [];
let client: Sentry.NodeClient;

beforeAll(() => {
  client = Sentry.init({
    dsn: `http://${PUBLIC_KEY}@127.0.0.1:9/7`,
    environment: ENVIRONMENT,
    release: RELEASE,
    defaultIntegrations: false,
    integrations: [],
    enableRuntimeChannelInjection: false,
    sendClientReports: false,
    tracesSampler: ({ attributes }) => Number(attributes?.rate ?? 0),
    transport: (options) =>
      Sentry.createTransport(options, (request) => {
        bodies.push(String(request.body));
        return Promise.resolve({ statusCode: 200 });
      }),
  })!;
});

afterAll(() => client.close(100));

/** A real SDK span heading the trace `decision` describes. */
function sdkSpan(decision: TraceDecision, name: string, attributes: Record<string, string | number>) {
  const scope = new Sentry.Scope();
  scope.setClient(client);
  scope.setPropagationContext({
    traceId: decision.traceId,
    sampleRand: decision.sampleRand,
    ...(decision.parentSpanId ? { parentSpanId: decision.parentSpanId } : {}),
    ...(decision.frozenDsc ? { dsc: decision.frozenDsc } : {}),
  });
  return Sentry.startInactiveSpan({
    name,
    op: 'http.server',
    forceTransaction: true,
    scope,
    attributes: { ...attributes, rate: decision.sampleRate },
  });
}

function parseBaggage(baggage: string): Record<string, string> {
  return Object.fromEntries(
    baggage
      .split(',')
      .map((m) => [m.slice(7, m.indexOf('=')), decodeURIComponent(m.slice(m.indexOf('=') + 1))]),
  );
}

const identity = { environment: ENVIRONMENT, release: RELEASE, publicKey: PUBLIC_KEY, orgId: undefined };

describe('the sidecar and the Sentry SDK agree', () => {
  it('on the baggage of a new trace', () => {
    const decision = decideTrace(undefined, 1, () => 0.42);
    const span = sdkSpan(decision, 'GET /api/users/:id', {});
    expect(new OwnDsc(identity).baggage(decision, 'GET%20%2Fapi%2Fusers%2F%3Aid')).toBe(
      Sentry.spanToBaggageHeader(span),
    );
    span.end();
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
    const span = sdkSpan(decision, 'GET /x', {});
    expect(new OwnDsc(identity).object(decision, 'GET /x')).toEqual(
      parseBaggage(Sentry.spanToBaggageHeader(span) ?? ''),
    );
    span.end();
  });

  it('on the span envelope of a sampled request', async () => {
    bodies.length = 0;
    const decision = decideTrace(
      {
        traceId: '5bf92f3577b34da6a3ce929d0e0e4736',
        parentSpanId: '10f067aa0ba902b7',
        parentSampled: true,
        dsc: undefined,
      },
      1,
      () => 0.5,
    );
    const attributes = { 'http.route': '/api/users/:id', 'http.request.method': 'GET' };
    const span = sdkSpan(decision, 'GET /api/users/:id', attributes);
    Sentry.setHttpStatus(span, 503);
    span.end();
    await client.flush(1000);
    const [sdkHeader, sdkItemHeader, sdkPayload] = bodies
      .find((b) => b.includes('"type":"span"') && b.includes(`"trace_id":"${decision.traceId}"`))!
      .split('\n')
      .map((line) => JSON.parse(line));
    const sdkItem = sdkPayload.items[0];

    const [header, [[itemHeader, payloadText]]] = spanEnvelope(
      {
        traceId: decision.traceId,
        spanId: sdkItem.span_id,
        parentSpanId: decision.parentSpanId,
        name: 'GET /api/users/:id',
        start: sdkItem.start_timestamp,
        end: sdkItem.end_timestamp,
        sampleRate: decision.sampleRate,
        httpStatus: 503,
        statusMessage: Sentry.getSpanStatusFromHttpCode(503).message,
        attributes: { ...attributes, rate: decision.sampleRate },
      },
      new OwnDsc(identity).object(decision, 'GET /api/users/:id'),
      { environment: ENVIRONMENT, release: RELEASE, sdk: sdkHeader.sdk },
    );
    expect({ ...header, sent_at: undefined }).toEqual({ ...sdkHeader, sent_at: undefined });
    expect(itemHeader).toEqual(sdkItemHeader);
    const payload = JSON.parse(payloadText) as { version: number; items: unknown[] };
    expect(payload.version).toBe(sdkPayload.version);
    const item = payload.items[0] as Record<string, unknown> & { attributes: Record<string, unknown> };
    const { attributes: sdkAttributes, ...sdkRest } = sdkItem;
    const { attributes: ourAttributes, ...ourRest } = item;
    expect(ourRest).toEqual(sdkRest);
    // Every attribute the SDK sends is there, with the same value and type, except the ones
    // that describe the SDK's own integrations and span source.
    const expected = { ...sdkAttributes };
    delete expected['sentry.sdk.integrations'];
    delete expected['sentry.segment.name.source'];
    const ours = { ...ourAttributes };
    delete ours['sentry.segment.name.source'];
    expect(ours).toEqual(expected);
  });

  it('on options: no integrations, data collection off, no spans of its own, a Node SDK identity', () => {
    const config = loadConfig({
      UPSTREAM_URL: 'http://127.0.0.1:8000',
      SENTRY_DSN: `http://${PUBLIC_KEY}@127.0.0.1:9/7`,
    }).sentry;
    const options = sentryOptions(
      {
        config: { ...config, dsn: config.dsn! },
        metrics: new SentryMetrics(createRegistry(), true),
        logger: createLogger('silent'),
        onDelivered: () => {},
      },
      (o) => Sentry.createTransport(o, () => Promise.resolve({})),
    );
    expect(options.integrations).toEqual([]);
    expect(options.traceLifecycle).toBe('static');
    expect(options.platform).toBe('node');
    expect(options.runtime).toEqual({ name: 'node', version: process.version });
    expect(options._metadata?.sdk?.name).toBe(client.getSdkMetadata()?.sdk?.name);
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
    expect(options.tracesSampleRate).toBe(0);
    expect(options.tracesSampler).toBeUndefined();
    expect(options.transportOptions?.bufferSize).toBe(64);
  });

  it("switches on the SDK's own logging with SENTRY_DEBUG, as Sentry.init() would", async () => {
    const config = loadConfig({
      UPSTREAM_URL: 'http://127.0.0.1:8000',
      SENTRY_DSN: `http://${PUBLIC_KEY}@127.0.0.1:9/7`,
      SENTRY_DEBUG: 'true',
    }).sentry;
    expect(debug.isEnabled()).toBe(false);
    const sdk = await createSentryClient({
      config: { ...config, dsn: config.dsn! },
      metrics: new SentryMetrics(createRegistry(), true),
      logger: createLogger('silent'),
      onDelivered: () => {},
      transport: (o) => Sentry.createTransport(o, () => Promise.resolve({})),
    });
    try {
      expect(debug.isEnabled()).toBe(true);
    } finally {
      await sdk.close(100);
      debug.disable();
    }
  });

  it('takes the release from SENTRY_RELEASE, else from the commit variables the Node SDK reads', () => {
    const saved = process.env.GITHUB_SHA;
    process.env.GITHUB_SHA = '0123456789abcdef0123456789abcdef01234567';
    try {
      const env = { UPSTREAM_URL: 'http://127.0.0.1:8000', SENTRY_DSN: `http://${PUBLIC_KEY}@127.0.0.1:9/7` };
      expect(releaseOf(loadConfig(env).sentry)).toBe('0123456789abcdef0123456789abcdef01234567');
      expect(releaseOf(loadConfig({ ...env, SENTRY_RELEASE: 'backend@3.0.0' }).sentry)).toBe('backend@3.0.0');
    } finally {
      if (saved === undefined) delete process.env.GITHUB_SHA;
      else process.env.GITHUB_SHA = saved;
    }
  });
});
