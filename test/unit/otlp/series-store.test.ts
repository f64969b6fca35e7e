import { describe, expect, it } from 'vitest';
import { exponentialBuckets } from '../../../src/otlp/point-data.js';
import { PointRefusal } from '../../../src/otlp/refusal.js';
import { type FamilyKey, SeriesStore } from '../../../src/otlp/series-store.js';
import { manualClock } from '../../helpers/clock.js';

const counter: FamilyKey = { name: 'jobs_total', type: 'counter', help: 'h', source: 'jobs', unit: '' };
const labels = (shard: string) => [['shard', shard]] as const;

function refusal(fn: () => void): PointRefusal {
  try {
    fn();
  } catch (error) {
    if (error instanceof PointRefusal) return error;
    throw error;
  }
  throw new Error('no refusal');
}

describe('SeriesStore', () => {
  it('adds delta points and replaces cumulative ones', () => {
    const store = new SeriesStore({ maxSeries: 10, maxSeriesPerMetric: 10, ttlMs: 60_000 });
    store.record(counter, labels('a'), { kind: 'number', value: 3 }, true);
    store.record(counter, labels('a'), { kind: 'number', value: 2 }, true);
    store.record(counter, labels('b'), { kind: 'number', value: 7 }, false);
    store.record(counter, labels('b'), { kind: 'number', value: 9 }, false);
    const values = [...store.family('jobs_total')!.series.values()].map((s) => s.data);
    expect(values).toEqual([
      { kind: 'number', value: 5 },
      { kind: 'number', value: 9 },
    ]);
  });

  it('refuses a change of type or unit, and series past either budget', () => {
    const store = new SeriesStore({ maxSeries: 3, maxSeriesPerMetric: 2, ttlMs: 60_000 });
    store.record(counter, labels('a'), { kind: 'number', value: 1 }, false);
    expect(
      refusal(() => store.record({ ...counter, unit: 's' }, labels('a'), { kind: 'number', value: 1 }, false))
        .reason,
    ).toBe('type_changed');
    store.record(counter, labels('b'), { kind: 'number', value: 1 }, false);
    expect(
      refusal(() => store.record(counter, labels('c'), { kind: 'number', value: 1 }, false)).reason,
    ).toBe('metric_series_budget');
    const other: FamilyKey = { ...counter, name: 'other_total', source: 'other' };
    store.record(other, labels('a'), { kind: 'number', value: 1 }, false);
    expect(refusal(() => store.record(other, labels('b'), { kind: 'number', value: 1 }, false)).reason).toBe(
      'series_budget',
    );
    expect(store.size).toBe(3);
  });

  it('forgets series not updated within the TTL, and their families', () => {
    const clock = manualClock(0);
    const store = new SeriesStore({ maxSeries: 10, maxSeriesPerMetric: 10, ttlMs: 60_000 }, clock.now);
    store.record(counter, labels('old'), { kind: 'number', value: 1 }, false);
    clock.advance(45_000);
    store.record(counter, labels('new'), { kind: 'number', value: 1 }, false);
    clock.advance(30_000);
    expect(store.sweep()).toBe(1);
    expect([...store.family('jobs_total')!.series.values()].map((s) => s.labels[0]![1])).toEqual(['new']);
    clock.advance(60_000);
    expect(store.sweep()).toBe(1);
    expect(store.family('jobs_total')).toBeUndefined();
    expect(store.size).toBe(0);
  });
});

describe('exponential histograms as explicit buckets', () => {
  it('merges buckets exactly onto powers of two, negatives and zeros included', () => {
    // Scale 1: base √2. Index 13 is (2^6.5, 2^7] ≈ (90.5, 128]; index 19 is (2^9.5, 2^10].
    const data = exponentialBuckets({
      scale: 1,
      count: 6,
      sum: 2097,
      zeroCount: 1,
      positive: { offset: 13, bucketCounts: [1, 0, 0, 0, 0, 0, 2] },
      negative: { offset: 0, bucketCounts: [2] },
    });
    // -2 ≤ -1 (index 0 of the negatives, magnitude (1, √2]), 0, 100 ≤ 128, 1000 ≤ 1024.
    expect(data.bounds).toEqual([-1, 0, 128, 1024]);
    expect(data.counts).toEqual([2, 1, 1, 2, 0]);
  });

  it('refuses counts that do not add up, and scales outside the specification', () => {
    expect(
      refusal(() => exponentialBuckets({ scale: 0, count: 5, positive: { bucketCounts: [1] } })).reason,
    ).toBe('invalid_value');
    expect(refusal(() => exponentialBuckets({ scale: 21, count: 0 })).reason).toBe('invalid_value');
  });
});
