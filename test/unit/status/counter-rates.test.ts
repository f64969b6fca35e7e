import { describe, expect, it } from 'vitest';
import { CounterRates } from '../../../src/status/counter-rates.js';
import { manualClock } from '../../helpers/clock.js';

const totals = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('CounterRates', () => {
  it('has no rate at the first reading, then the rate since the oldest reading of the last minute', () => {
    const clock = manualClock(1_000_000);
    const rates = new CounterRates(clock.now);
    expect(rates.rates(totals({ a: 10 })).get('a')).toBeNull();
    clock.advance(5_000);
    expect(rates.rates(totals({ a: 60 })).get('a')).toBe(10);
    clock.advance(5_000);
    // Still measured from the first reading, ten seconds back.
    expect(rates.rates(totals({ a: 110 })).get('a')).toBe(10);
  });

  it('spans about a minute when read often, and the time since the last read when read seldom', () => {
    const clock = manualClock(0);
    const rates = new CounterRates(clock.now);
    let total = 0;
    // 1 per second for 90 s, then 5 per second for 30 s, read every 5 s.
    for (let t = 0; t <= 120; t += 5) {
      total += t === 0 ? 0 : t <= 90 ? 5 : 25;
      const rate = rates.rates(totals({ a: total })).get('a');
      if (t === 120) expect(rate).toBeCloseTo((30 * 1 + 30 * 5) / 60, 1);
      clock.advance(5_000);
    }
    clock.advance(600_000);
    expect(rates.rates(totals({ a: total + 6050 })).get('a')).toBeCloseTo(10, 5);
  });

  it('gives no rate for a counter that went down (its source restarted), and counts a new key from 0', () => {
    const clock = manualClock(0);
    const rates = new CounterRates(clock.now);
    rates.rates(totals({ a: 100 }));
    clock.advance(10_000);
    const r = rates.rates(totals({ a: 20, b: 30 }));
    expect(r.get('a')).toBeNull();
    expect(r.get('b')).toBe(3);
  });

  it('keeps at most maxReadings readings however often it is read', () => {
    const clock = manualClock(0);
    const rates = new CounterRates(clock.now, 4);
    for (let i = 0; i <= 100; i++) {
      rates.rates(totals({ a: i * 10 }));
      clock.advance(100);
    }
    expect((rates as unknown as { history: unknown[] }).history.length).toBeLessThanOrEqual(4);
    expect(rates.rates(totals({ a: 1010 })).get('a')).toBeCloseTo(100, 5);
  });
});
