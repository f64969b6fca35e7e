import { describe, expect, it } from 'vitest';
import { RouteWindows, SLOT_MS, SLOTS } from '../../../src/status/route-windows.js';
import { manualClock } from '../../helpers/clock.js';

describe('RouteWindows', () => {
  it('gives rates, success rates and quantiles over the last minute and ten minutes', () => {
    const clock = manualClock(1_700_000_000_000);
    const windows = new RouteWindows(clock.now);
    // Nine minutes ago: 600 slow requests; in the last minute: 60 fast ones, 6 of them failing.
    for (let i = 0; i < 600; i++) windows.record('GET', '/api/items/{id}', 2, '');
    clock.advance(9 * 60_000);
    for (let i = 0; i < 60; i++) windows.record('GET', '/api/items/{id}', 0.01, i < 6 ? '503' : '');
    const [f] = windows.figures();
    expect(f).toMatchObject({ method: 'GET', route: '/api/items/{id}' });
    expect(f!.lastMinute.requests).toBe(60);
    expect(f!.lastMinute.rate).toBeCloseTo(1, 5);
    expect(f!.lastMinute.successRate).toBeCloseTo(0.9, 5);
    // Bucket bounds are √2 apart: the figure is within that of the true value.
    expect(f!.lastMinute.p50!).toBeGreaterThanOrEqual(0.01);
    expect(f!.lastMinute.p50!).toBeLessThan(0.01 * Math.SQRT2);
    expect(f!.lastTenMinutes.requests).toBe(660);
    expect(f!.lastTenMinutes.p50!).toBeGreaterThanOrEqual(2);
    expect(f!.lastTenMinutes.p50!).toBeLessThan(2 * Math.SQRT2);
    expect(f!.errorTypes).toEqual({ '503': 6 });
    expect(f!.series.requests).toHaveLength(SLOTS);
    expect(f!.series.requests.at(-1)).toBe(60);
    expect(f!.series.requests.reduce((a, b) => a + b, 0)).toBe(660);
  });

  it('forgets what is older than ten minutes, and drops a route with nothing left', () => {
    const clock = manualClock(1_700_000_000_000);
    const windows = new RouteWindows(clock.now);
    windows.record('GET', '/old', 0.1, '500');
    clock.advance(SLOTS * SLOT_MS);
    windows.record('GET', '/new', 0.1, '');
    expect(windows.figures().map((f) => f.route)).toEqual(['/new']);
    expect(windows.size).toBe(1);
  });

  it('forgets a route the labeller gave up, whatever the method', () => {
    const windows = new RouteWindows();
    windows.record('GET', '/users/alice', 0.1, '');
    windows.record('POST', '/users/alice', 0.1, '');
    windows.record('GET', '/users/{param}', 0.1, '');
    windows.forget('/users/alice');
    expect(windows.figures().map((f) => `${f.method} ${f.route}`)).toEqual(['GET /users/{param}']);
  });

  it('counts requests in flight by route and method, a route with none finished yet included', () => {
    const clock = manualClock(1_700_000_000_000);
    const windows = new RouteWindows(clock.now);
    windows.started('POST', '/api/chat');
    windows.started('POST', '/api/chat');
    windows.started('GET', '/api/chat');
    expect(windows.figures().map((f) => [f.method, f.inFlight, f.lastMinute.requests])).toEqual([
      ['POST', 2, 0],
      ['GET', 1, 0],
    ]);
    windows.ended('POST', '/api/chat');
    windows.record('POST', '/api/chat', 3, '');
    windows.ended('GET', '/api/chat');
    windows.ended('GET', '/api/chat'); // one end too many changes nothing
    expect(windows.figures().map((f) => [f.method, f.inFlight, f.lastMinute.requests])).toEqual([
      ['POST', 1, 1],
    ]);
  });
});
