import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../src/log/logger.js';
import { ErrorCapture } from '../../../../src/sentry/capture/error-capture.js';
import { ErrorLinker } from '../../../../src/sentry/capture/error-linker.js';
import type { ErrorReport } from '../../../../src/sentry/capture/error-report.js';
import { RateLimiter } from '../../../../src/sentry/capture/rate-limit.js';
import { RecentErrors } from '../../../../src/sentry/capture/recent-errors.js';
import { SentryMetrics } from '../../../../src/sentry/metrics.js';

function setup(windowMs: number, maxPending: number) {
  const registry = new Registry();
  const recent = new RecentErrors(100);
  const capture = new ErrorCapture({
    sentryEnabled: false,
    limiter: new RateLimiter({ perMinute: 1_000, perKeyPerMinute: 1_000 }),
    recent,
    metrics: new SentryMetrics(registry, false),
    logger: createLogger('silent'),
  });
  const linker = new ErrorLinker(capture, new SentryMetrics(new Registry(), false), windowMs, maxPending);
  const response = (requestId: string) => {
    const report: ErrorReport = {
      kind: 'backend_5xx',
      level: 'error',
      message: 'GET /api/transfer → 500',
      fingerprint: ['backend-5xx', 'GET', '/api/transfer', '500'],
      tags: { route: '/api/transfer', status: '500' },
      requestId,
    };
    linker.backend5xx(requestId, report.fingerprint, () => ({ report }));
  };
  const appError = (requestId: string) =>
    linker.appError({ message: 'refused', errorType: 'LedgerError', requestId });
  const listed = () => recent.list().map((e) => `${e.request_id} ${e.message}`);
  return { linker, response, appError, listed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ErrorLinker', () => {
  it('sends the oldest waiting entry at once, unlinked, when too many wait, and loses none', () => {
    vi.useFakeTimers();
    const { response, appError, listed } = setup(2_000, 2);
    response('r1');
    response('r2');
    expect(listed()).toEqual([]);
    response('r3');
    expect(listed()).toEqual(['r1 GET /api/transfer → 500']);
    // r2 is still waiting, and links.
    appError('r2');
    expect(listed()).toContain('r2 LedgerError: refused');
    vi.advanceTimersByTime(2_000);
    expect(listed().sort()).toEqual([
      'r1 GET /api/transfer → 500',
      'r2 LedgerError: refused',
      'r3 GET /api/transfer → 500',
    ]);
  });

  it('sends whatever waits when the sidecar stops', () => {
    vi.useFakeTimers();
    const { linker, response, appError, listed } = setup(2_000, 100);
    response('r1');
    appError('r2');
    linker.flush();
    expect(listed().sort()).toEqual(['r1 GET /api/transfer → 500', 'r2 LedgerError: refused']);
    vi.advanceTimersByTime(5_000);
    expect(listed()).toHaveLength(2);
  });

  it('waits for nothing with a window of 0', () => {
    const { response, appError, listed } = setup(0, 100);
    response('r1');
    appError('r1');
    expect(listed()).toHaveLength(2);
  });
});
