import { describe, expect, it } from 'vitest';
import { SendPause } from '../../../../src/sentry/sdk/send-pause.js';

describe('pausing sends to an unreachable Sentry', () => {
  function pauseAt(clock: { t: number }) {
    return new SendPause({ threshold: 3, firstMs: 1000, maxMs: 4000, now: () => clock.t });
  }

  /** Three failures of envelopes sent now: the third starts a pause. */
  function failThrice(pause: SendPause): number | undefined {
    let ms: number | undefined;
    for (let i = 0; i < 3; i++) {
      expect(pause.admit()).toBe(true);
      ms = pause.failed(pause.started());
    }
    return ms;
  }

  it('pauses from the third consecutive failure, then lets one probe through at a time', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    expect(failThrice(pause)).toBe(1000);
    expect(pause.admit()).toBe(false);
    clock.t = 999;
    expect(pause.admit()).toBe(false);
    clock.t = 1000;
    expect(pause.admit()).toBe(true);
    // While the probe is out, the others are still refused.
    expect(pause.admit()).toBe(false);
  });

  it('doubles the pause after each failed probe, up to the maximum', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    failThrice(pause);
    for (const [at, next] of [
      [1000, 2000],
      [3000, 4000],
      [7000, 4000],
    ] as const) {
      clock.t = at;
      expect(pause.admit()).toBe(true);
      expect(pause.failed(pause.started())).toBe(next);
      expect(pause.admit()).toBe(false);
    }
  });

  it('is not lengthened by envelopes that were already under way when it began', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    const early = pause.started();
    clock.t = 10;
    failThrice(pause);
    clock.t = 500;
    expect(pause.failed(early)).toBeUndefined();
    clock.t = 1010;
    expect(pause.admit()).toBe(true);
  });

  it('ends at the first answer, and says whether a pause was ended', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    pause.failed(pause.started());
    pause.failed(pause.started());
    expect(pause.succeeded()).toBe(false);
    // The count starts again: two more failures do not pause.
    pause.failed(pause.started());
    expect(pause.failed(pause.started())).toBeUndefined();
    expect(pause.admit()).toBe(true);
    expect(pause.failed(pause.started())).toBe(1000);
    clock.t = 1000;
    expect(pause.admit()).toBe(true);
    expect(pause.succeeded()).toBe(true);
    expect(pause.admit()).toBe(true);
    expect(pause.admit()).toBe(true);
  });

  it('lets another probe go when one ended without asking Sentry (a full queue, a rate limit)', () => {
    const clock = { t: 0 };
    const pause = pauseAt(clock);
    failThrice(pause);
    clock.t = 1000;
    expect(pause.admit()).toBe(true);
    pause.inconclusive();
    expect(pause.admit()).toBe(true);
  });
});
