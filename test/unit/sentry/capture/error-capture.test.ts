import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/log/logger.js';
import { ErrorCapture } from '../../../../src/sentry/capture/error-capture.js';
import type { ErrorReport } from '../../../../src/sentry/capture/error-report.js';
import { RateLimiter } from '../../../../src/sentry/capture/rate-limit.js';
import { RecentErrors } from '../../../../src/sentry/capture/recent-errors.js';
import { SentryMetrics } from '../../../../src/sentry/metrics.js';

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('lets a burst of one fingerprint through up to its cap, then a steady trickle', () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 1000, perKeyPerMinute: 3, now: c.now });
    expect([1, 2, 3, 4].map(() => limiter.allow('a'))).toEqual([true, true, true, false]);
    c.advance(19_000);
    expect(limiter.allow('a')).toBe(false);
    c.advance(1_000); // 20 s: one token back at 3 per minute
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
  });

  it('keeps fingerprints apart and caps them together', () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 4, perKeyPerMinute: 3, now: c.now });
    expect([limiter.allow('a'), limiter.allow('a'), limiter.allow('b'), limiter.allow('c')]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(limiter.allow('d')).toBe(false);
    c.advance(60_000);
    expect(limiter.allow('d')).toBe(true);
  });

  it('refuses everything with a cap of 0', () => {
    const limiter = new RateLimiter({ perMinute: 0, perKeyPerMinute: 10 });
    expect(limiter.allow('a')).toBe(false);
  });

  it('forgets the oldest fingerprint past maxKeys, which restarts with a full bucket', () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 1000, perKeyPerMinute: 1, maxKeys: 2, now: c.now });
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
    limiter.allow('b');
    limiter.allow('c'); // evicts a
    expect(limiter.allow('a')).toBe(true);
  });
});

describe('RecentErrors', () => {
  const input = (message: string) => ({
    kind: 'backend_5xx' as const,
    level: 'error',
    message,
    fingerprint: [message],
    tags: {},
  });

  it('lists newest first and drops the oldest past its capacity', () => {
    const recent = new RecentErrors(3, () => 0);
    for (const m of ['a', 'b', 'c', 'd']) recent.add(m, input(m));
    expect(recent.list().map((e) => e.message)).toEqual(['d', 'c', 'b']);
    expect(recent.list(2).map((e) => e.message)).toEqual(['d', 'c']);
  });

  it('counts held-back repeats on the latest entry of a fingerprint, until it is evicted', () => {
    const c = clock(1_700_000_000_000);
    const recent = new RecentErrors(2, c.now);
    recent.add('k', input('first'));
    recent.add('k', input('second'));
    recent.suppressed('k');
    recent.suppressed('k');
    expect(recent.list()[0]).toMatchObject({ message: 'second', suppressed: 2 });
    expect(recent.list()[0]?.last_suppressed_at).toBe(new Date(c.now()).toISOString());
    recent.add('x', input('x'));
    recent.add('y', input('y')); // evicts 'second'
    recent.suppressed('k');
    expect(recent.list().map((e) => e.suppressed)).toEqual([0, 0]);
  });

  it('tracks Sentry delivery by event id', () => {
    const recent = new RecentErrors(5);
    recent.add('k', { ...input('a'), sentryEventId: 'e1' });
    recent.add('j', input('b'));
    expect(recent.list().map((e) => e.sentry)).toEqual(['disabled', 'pending']);
    recent.delivered('e1', 'sent');
    recent.delivered('unknown', 'failed');
    expect(recent.list().map((e) => e.sentry)).toEqual(['disabled', 'sent']);
  });
});

describe('ErrorCapture', () => {
  it('builds a report only when the rate limits admit its fingerprint', () => {
    const c = clock(1_700_000_000_000);
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
