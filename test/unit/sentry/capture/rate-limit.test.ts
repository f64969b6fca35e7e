import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../../src/sentry/capture/rate-limit.js';
import { manualClock } from '../../../helpers/clock.js';

describe('RateLimiter', () => {
  it('lets a burst of one fingerprint through up to its cap, then a steady trickle', () => {
    const c = manualClock();
    const limiter = new RateLimiter({ perMinute: 1000, perKeyPerMinute: 3, now: c.now });
    expect([1, 2, 3, 4].map(() => limiter.allow('a'))).toEqual([true, true, true, false]);
    c.advance(19_000);
    expect(limiter.allow('a')).toBe(false);
    c.advance(1_000); // 20 s: one token back at 3 per minute
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
  });

  it('keeps fingerprints apart and caps them together', () => {
    const c = manualClock();
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
    const c = manualClock();
    const limiter = new RateLimiter({ perMinute: 1000, perKeyPerMinute: 1, maxKeys: 2, now: c.now });
    expect(limiter.allow('a')).toBe(true);
    expect(limiter.allow('a')).toBe(false);
    limiter.allow('b');
    limiter.allow('c'); // evicts a
    expect(limiter.allow('a')).toBe(true);
  });
});
