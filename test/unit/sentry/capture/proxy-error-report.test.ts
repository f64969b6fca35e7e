import { describe, expect, it } from 'vitest';
import {
  type ProxyErrorInput,
  proxyErrorHead,
  proxyErrorReport,
} from '../../../../src/sentry/capture/proxy-error-report.js';
import { safeUserId } from '../../../../src/sentry/scrub/scrub-request.js';

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
