import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { SENTRY_DEFAULTS } from '../../../src/config/sentry.js';

const base = { UPSTREAM_URL: 'http://127.0.0.1:8000' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}=${p.value}: ${p.rule}`);
    throw error;
  }
  return [];
}

describe('Sentry configuration', () => {
  it('has documented defaults and no DSN', () => {
    const { sentry } = loadConfig(base);
    expect(sentry).toMatchObject({
      dsn: undefined,
      environment: 'production',
      release: undefined,
      tracesSampleRate: 0.1,
      profilesSampleRate: 0,
      enableTracing: true,
      incomingTraceHeaders: 'continue',
      maxEventsPerMinute: 60,
      maxEventsPerFingerprintPerMinute: 10,
      attachResponseBody: false,
      responseBodyMaxBytes: 1024,
      userIdHeader: undefined,
      transportQueueSize: 64,
      transportTimeoutMs: 5000,
      flushTimeoutMs: 2000,
      recentErrorsSize: 100,
      debug: false,
    });
    expect(sentry.tracesExcludeRoutes.map((p) => p.template)).toEqual(SENTRY_DEFAULTS.tracesExcludeRoutes);
    expect(sentry.requestHeaders).toEqual(SENTRY_DEFAULTS.requestHeaders);
  });

  it('reads every variable', () => {
    const { sentry } = loadConfig({
      ...base,
      SENTRY_DSN: 'https://abc@o1.ingest.sentry.io/2',
      SENTRY_ENVIRONMENT: 'staging',
      SENTRY_RELEASE: 'backend@1.0.0',
      SENTRY_TRACES_SAMPLE_RATE: '0.5',
      SENTRY_PROFILES_SAMPLE_RATE: '0.2',
      SENTRY_ENABLE_TRACING: 'false',
      SENTRY_TRACES_EXCLUDE_ROUTES: '/ping,/internal/*',
      SENTRY_TRACES_ROUTE_SAMPLE_RATES: '/api/events/*=0.01, /api/chat/:id=1',
      SENTRY_INCOMING_TRACE_HEADERS: 'ignore',
      SENTRY_MAX_EVENTS_PER_MINUTE: '100',
      SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE: '5',
      SENTRY_ATTACH_RESPONSE_BODY: 'true',
      SENTRY_RESPONSE_BODY_MAX_BYTES: '2048',
      SENTRY_USER_ID_HEADER: 'X-User-Id',
      SENTRY_REQUEST_HEADERS: 'User-Agent,x-request-id',
      SENTRY_TRANSPORT_QUEUE_SIZE: '16',
      SENTRY_TRANSPORT_TIMEOUT_MS: '2000',
      SENTRY_FLUSH_TIMEOUT_MS: '1000',
      RECENT_ERRORS_SIZE: '20',
      SENTRY_DEBUG: 'true',
    });
    expect(sentry).toMatchObject({
      dsn: 'https://abc@o1.ingest.sentry.io/2',
      environment: 'staging',
      release: 'backend@1.0.0',
      tracesSampleRate: 0.5,
      profilesSampleRate: 0.2,
      enableTracing: false,
      incomingTraceHeaders: 'ignore',
      maxEventsPerMinute: 100,
      maxEventsPerFingerprintPerMinute: 5,
      attachResponseBody: true,
      responseBodyMaxBytes: 2048,
      userIdHeader: 'x-user-id',
      requestHeaders: ['user-agent', 'x-request-id'],
      transportQueueSize: 16,
      transportTimeoutMs: 2000,
      flushTimeoutMs: 1000,
      recentErrorsSize: 20,
      debug: true,
    });
    expect(sentry.tracesExcludeRoutes.map((p) => p.template)).toEqual(['/ping', '/internal/*']);
    expect(sentry.tracesRouteSampleRates.map((r) => [r.pattern.template, r.rate])).toEqual([
      ['/api/events/*', 0.01],
      ['/api/chat/{id}', 1],
    ]);
  });

  it('turns the default exclusions off with "none"', () => {
    expect(loadConfig({ ...base, SENTRY_TRACES_EXCLUDE_ROUTES: 'none' }).sentry.tracesExcludeRoutes).toEqual(
      [],
    );
  });

  it('reports every problem at once, never printing the DSN key', () => {
    const found = problems({
      SENTRY_DSN: 'https://secretkey@sentry.example.com',
      SENTRY_ENVIRONMENT: 'prod env',
      SENTRY_RELEASE: 'a/b',
      SENTRY_TRACES_SAMPLE_RATE: '1.5',
      SENTRY_TRACES_ROUTE_SAMPLE_RATES: '/a=2,/b,c=0.5',
      SENTRY_INCOMING_TRACE_HEADERS: 'trust',
      SENTRY_USER_ID_HEADER: 'x user',
      SENTRY_REQUEST_HEADERS: 'ok,bad header',
      SENTRY_RESPONSE_BODY_MAX_BYTES: '0',
    });
    expect(found).toHaveLength(11);
    expect(found.join('\n')).not.toContain('secretkey');
    expect(found).toContain(
      'SENTRY_DSN=https://***@sentry.example.com: must be a URL like https://<key>@<host>/<project-id>',
    );
  });

  it('refuses DSNs the SDK would reject at run time (it would leave Sentry silently off)', () => {
    for (const dsn of [
      'http://e2e-public-key@127.0.0.1:9/42',
      'https://abc@sentry.example.com/project',
      'https://a.b@host/1',
    ]) {
      expect(problems({ SENTRY_DSN: dsn })).toEqual([
        `SENTRY_DSN=${dsn.replace(/\/\/[^@/]*@/, '//***@')}: must be a URL like https://<key>@<host>/<project-id>`,
      ]);
    }
    expect(problems({ SENTRY_DSN: 'https://0123abcdef@o1.ingest.sentry.io/4501' })).toEqual([]);
  });
});
