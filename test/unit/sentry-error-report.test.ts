import { describe, expect, it } from 'vitest';
import {
  appErrorReport,
  messageShape,
  type ProxyErrorInput,
  proxyErrorHead,
  proxyErrorReport,
} from '../../src/sentry/capture/error-report.js';
import { parseStack } from '../../src/sentry/capture/stack-frames.js';
import { outcomeOfDrop, outcomeOfResponse } from '../../src/sentry/outcomes.js';
import { safeUserId } from '../../src/sentry/scrub/scrub-request.js';

const options = { upstream: 'backend:8000', allowedHeaders: new Set(['host', 'user-agent', 'x-request-id']) };

function input(overrides: Partial<ProxyErrorInput> = {}): ProxyErrorInput {
  return {
    method: 'GET',
    route: '/api/accounts/:id',
    status: 503,
    errorType: '503',
    backendStatus: 503,
    requestId: 'r-1',
    target: '/api/accounts/DE89370400440532013000?expand=1&token=t',
    headers: { host: 'bank.example', 'user-agent': 'app/1', authorization: 'Bearer x' },
    durationSeconds: 0.0123,
    ...overrides,
  };
}

describe('proxyErrorReport', () => {
  it('describes a backend 5xx by method, route template and status', () => {
    const report = proxyErrorReport(input(), options)!;
    expect(report).toMatchObject({
      kind: 'backend_5xx',
      level: 'error',
      message: 'GET /api/accounts/:id → 503',
      fingerprint: ['backend-5xx', 'GET', '/api/accounts/:id', '503'],
      tags: {
        kind: 'backend_5xx',
        route: '/api/accounts/:id',
        method: 'GET',
        status: '503',
        upstream: 'backend:8000',
        error_type: '503',
      },
      transaction: 'GET /api/accounts/:id',
      request: {
        method: 'GET',
        url: 'http://bank.example/api/accounts/:id',
        query_string: 'expand=1&token=[Filtered]',
        headers: { host: 'bank.example', 'user-agent': 'app/1' },
      },
      contexts: { sidecar: { request_id: 'r-1', duration_ms: 12.3, client_status: 503 } },
    });
    expect(report.user).toBeUndefined();
    expect(JSON.stringify(report)).not.toContain('DE89370400440532013000');
  });

  it('describes a failure the sidecar answered for by failure kind and route', () => {
    const report = proxyErrorReport(
      input({
        status: 502,
        errorType: 'connection_refused',
        backendStatus: undefined,
        failure: { errorType: 'connection_refused', code: 'UPSTREAM_CONNECTION_REFUSED', status: 502 },
      }),
      options,
    )!;
    expect(report.kind).toBe('upstream_failure');
    expect(report.message).toBe('Upstream connection refused: GET /api/accounts/:id → 502');
    expect(report.fingerprint).toEqual(['upstream-failure', 'connection_refused', '/api/accounts/:id']);
    expect(report.contexts?.sidecar).toMatchObject({ failure_code: 'UPSTREAM_CONNECTION_REFUSED' });
  });

  it('classifies and groups an exchange from its status and failure alone', () => {
    const cases: Partial<ProxyErrorInput>[] = [
      {},
      { status: 504, backendStatus: undefined, failure: { errorType: 'timeout', status: 504 } },
      // Broke off after the backend's headers: the client got the backend's 200.
      { status: 200, backendStatus: 200, failure: { errorType: 'upstream_reset' } },
    ];
    for (const c of cases) {
      const full = input(c);
      const head = proxyErrorHead({
        method: full.method,
        route: full.route,
        status: full.status,
        failure: full.failure,
        backendStatus: full.backendStatus,
      });
      const report = proxyErrorReport(full, options)!;
      expect(head).toEqual({
        kind: report.kind,
        status: report.contexts?.response?.status_code,
        message: report.message,
        fingerprint: report.fingerprint,
      });
    }
    expect(proxyErrorHead(input({ status: 200, backendStatus: 200 }))?.message).toBeUndefined();
    expect(
      proxyErrorHead(input({ status: 200, backendStatus: 200, failure: { errorType: 'upstream_reset' } }))
        ?.message,
    ).toBe('Upstream reset: GET /api/accounts/:id broke off after 200');
  });

  it('reports nothing for a response below 500', () => {
    expect(
      proxyErrorReport(input({ status: 404, backendStatus: 404, errorType: '' }), options),
    ).toBeUndefined();
  });

  it('keeps a plain user id and drops one that is personal data', () => {
    expect(proxyErrorReport(input({ userId: 'u-42' }), options)?.user).toEqual({ id: 'u-42' });
    expect(proxyErrorReport(input({ userId: 'jane@example.com' }), options)?.user).toBeUndefined();
    expect(safeUserId('4111111111111111')).toBeUndefined();
    expect(safeUserId('a b')).toBeUndefined();
  });

  it('scrubs a body excerpt and drops a value cut off by the limit', () => {
    const report = proxyErrorReport(
      input({
        body: { contentType: 'application/json', text: '{"detail":"down","card":"41111111', truncated: true },
      }),
      options,
    );
    expect(report?.extra).toEqual({
      response_body_excerpt: '{"detail":"down","card":"…',
      response_body_truncated: true,
    });
  });
});

describe('appErrorReport', () => {
  it('builds an exception event grouped by component, type and the failing frame', () => {
    const report = appErrorReport({
      message: 'no balance for jane@example.com',
      errorType: 'LookupError',
      component: 'accounts',
      level: 'warning',
      stack:
        'Traceback (most recent call last):\n  File "/app/a.py", line 3, in run\n  File "/app/b.py", line 9, in find\nLookupError: x',
      context: { attempt: 1, password: 'p' },
      traceId: 'a'.repeat(32),
      requestId: 'r-9',
      timestamp: 1_700_000_000_123,
    });
    expect(report).toMatchObject({
      kind: 'app_error',
      level: 'warning',
      message: 'LookupError: no balance for [Filtered]',
      fingerprint: ['app-error', 'accounts', 'LookupError', '/app/b.py:find'],
      tags: { kind: 'app_error', component: 'accounts', error_type: 'LookupError' },
      exception: { type: 'LookupError', value: 'no balance for [Filtered]' },
      extra: { attempt: 1, password: '[Filtered]' },
      contexts: { sidecar: { source: 'ingest', request_id: 'r-9', trace_id: 'a'.repeat(32) } },
      timestamp: 1_700_000_000.123,
    });
    expect(report.exception?.frames?.map((f) => f.function)).toEqual(['run', 'find']);
  });

  it('falls back for missing or odd fields and keeps unparsed stacks as scrubbed text', () => {
    const report = appErrorReport({
      message: 'boom 42 at 0xdeadbeef',
      errorType: '  ',
      level: 'critical' as never,
      stack: 'java.lang.IllegalStateException: token=abc\n\tat com.example.Foo.bar(Foo.java:10)',
      traceId: 'not-a-trace',
    });
    expect(report.level).toBe('error');
    expect(report.fingerprint).toEqual(['app-error', 'app', 'Error', 'boom <n> at <hex>']);
    expect(report.extra?.stack).toContain('token=[Filtered]');
    expect(report.contexts?.sidecar).toEqual({ source: 'ingest' });
  });
});

describe('parseStack', () => {
  it('reads Node.js stacks, outermost call first', () => {
    const frames = parseStack(
      'Error: x\n    at inner (/app/src/a.js:10:5)\n    at /app/src/b.js:20:7\n    at run (node:internal/x:1:1)',
    );
    expect(frames?.map((f) => [f.function, f.lineno, f.in_app])).toEqual([
      ['run', 1, false],
      ['?', 20, true],
      ['inner', 10, true],
    ]);
  });

  it('marks library frames as not in the app and returns nothing for unknown formats', () => {
    expect(parseStack('  File "/usr/lib/python3/site-packages/x.py", line 1, in f')?.[0]?.in_app).toBe(false);
    expect(parseStack('goroutine 1 [running]:')).toBeUndefined();
  });
});

describe('messageShape', () => {
  it('folds numbers, hex ids and quoted values', () => {
    expect(messageShape('user 123 "x" not in deadbeef01 after 5 tries')).toBe(
      'user <n> <s> not in <hex> after <n> tries',
    );
  });
});

describe('outcomes', () => {
  it('maps SDK drop reasons and transport answers onto sidecar_sentry_events_total outcomes', () => {
    expect(outcomeOfDrop('queue_overflow')).toBe('queue_overflow');
    expect(outcomeOfDrop('ratelimit_backoff')).toBe('sentry_rate_limited');
    expect(outcomeOfDrop('before_send')).toBe('filtered');
    expect(outcomeOfDrop('sample_rate')).toBe('filtered');
    expect(outcomeOfDrop('network_error')).toBe('dropped');
    expect(outcomeOfDrop('send_error')).toBe('dropped');
    expect(outcomeOfResponse(200)).toBe('sent');
    expect(outcomeOfResponse(429)).toBe('sentry_rate_limited');
    expect(outcomeOfResponse(400)).toBe('dropped');
    expect(outcomeOfResponse(413)).toBeUndefined();
    expect(outcomeOfResponse(undefined)).toBeUndefined();
  });
});
