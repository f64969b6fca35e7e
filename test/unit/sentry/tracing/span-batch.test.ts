import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpanBatch } from '../../../../src/sentry/tracing/span-batch.js';

describe('SpanBatch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends what waits once the hold time has passed, oldest first', () => {
    const sent: number[] = [];
    const batch = new SpanBatch<number>((n) => sent.push(n), 100, 16);
    batch.add(1);
    vi.advanceTimersByTime(60);
    batch.add(2);
    expect(sent).toEqual([]);
    // The hold counts from the first envelope that waits, not the last.
    vi.advanceTimersByTime(40);
    expect(sent).toEqual([1, 2]);
    expect(batch.size).toBe(0);
    batch.add(3);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1, 2, 3]);
  });

  it('sends at once when the batch is full, and never holds more', () => {
    const sent: number[] = [];
    const batch = new SpanBatch<number>((n) => sent.push(n), 100, 3);
    for (let n = 1; n <= 7; n++) batch.add(n);
    expect(sent).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batch.size).toBe(1);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('hands everything over on flush, and its timer does not fire a second time', () => {
    const sent: number[] = [];
    const batch = new SpanBatch<number>((n) => sent.push(n), 100, 16);
    batch.add(1);
    batch.add(2);
    batch.flush();
    expect(sent).toEqual([1, 2]);
    vi.advanceTimersByTime(200);
    expect(sent).toEqual([1, 2]);
  });
});
