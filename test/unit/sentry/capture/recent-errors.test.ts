import { describe, expect, it } from 'vitest';
import { RecentErrors } from '../../../../src/sentry/capture/recent-errors.js';
import { manualClock } from '../../../helpers/clock.js';

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
    const c = manualClock(1_700_000_000_000);
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
