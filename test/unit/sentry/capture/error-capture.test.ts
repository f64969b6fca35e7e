import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/log/logger.js';
import { ErrorCapture } from '../../../../src/sentry/capture/error-capture.js';
import type { ErrorReport } from '../../../../src/sentry/capture/error-report.js';
import { RateLimiter } from '../../../../src/sentry/capture/rate-limit.js';
import { RecentErrors } from '../../../../src/sentry/capture/recent-errors.js';
import { SentryMetrics } from '../../../../src/sentry/metrics.js';
import { manualClock } from '../../../helpers/clock.js';

describe('ErrorCapture', () => {
  it('builds a report only when the rate limits admit its fingerprint', () => {
    const c = manualClock(1_700_000_000_000);
    const recent = new RecentErrors(10, c.now);
    const capture = new ErrorCapture({
      sentryEnabled: false,
      limiter: new RateLimiter({ perMinute: 100, perKeyPerMinute: 2, now: c.now }),
      recent,
      metrics: new SentryMetrics(new Registry(), false),
      logger: createLogger('silent'),
    });
    const fingerprint = ['backend-5xx', 'GET', '/api/accounts/{id}', '503'];
    let built = 0;
    const build = () => {
      built++;
      const report: ErrorReport = {
        kind: 'backend_5xx',
        level: 'error',
        message: 'GET → 503',
        fingerprint,
        tags: {},
      };
      return { report };
    };
    const outcomes = [1, 2, 3, 4, 5].map(() => capture.reportAdmitted(fingerprint, build).outcome);
    expect(outcomes).toEqual(['local_only', 'local_only', 'rate_limited', 'rate_limited', 'rate_limited']);
    expect(built).toBe(2);
    // The held-back ones are still counted on the entry operators see.
    expect(recent.list()[0]).toMatchObject({ message: 'GET → 503', suppressed: 3 });
  });
});
