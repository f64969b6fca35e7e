import { describe, expect, it } from 'vitest';
import { SendPause } from '../../src/sentry/send-pause.js';

describe('pausing sends to an unreachable Sentry', () => {
  function pauseAt(clock: { t: number }) {
    return new SendPause({ threshold: 3, firstMs: 1000, maxMs: 4000, now: () => clock.t });
  }

  it('pauses from the third consecutive failure, doubling each pause up to the maximum', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    expect(pause.failed()).toBeUndefined();
    expect(pause.failed()).toBeUndefined();
    expect(pause.remaining()).toBe(0);
    expect(pause.failed()).toBe(1000);
    expect(pause.remaining()).toBe(1000);
    clock.t = 400;
    expect(pause.remaining()).toBe(600);
    clock.t = 1000;
    expect(pause.remaining()).toBe(0);
    expect(pause.failed()).toBe(2000);
    clock.t = 3000;
    expect(pause.failed()).toBe(4000);
    clock.t = 7000;
    expect(pause.failed()).toBe(4000);
  });

  it('is not lengthened by requests that were already under way when it began', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    for (let i = 0; i < 3; i++) pause.failed();
    clock.t = 500;
    expect(pause.failed()).toBeUndefined();
    expect(pause.remaining()).toBe(500);
  });

  it('ends at the first answer, and says whether a pause was ended', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    pause.failed();
    pause.failed();
    expect(pause.succeeded()).toBe(false);
    // The count starts again: two more failures do not pause.
    pause.failed();
    pause.failed();
    expect(pause.remaining()).toBe(0);
    expect(pause.failed()).toBe(1000);
    clock.t = 1000;
    expect(pause.succeeded()).toBe(true);
    for (let i = 0; i < 2; i++) pause.failed();
    expect(pause.failed()).toBe(1000);
  });
});
