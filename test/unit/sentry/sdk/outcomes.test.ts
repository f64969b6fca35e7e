import { describe, expect, it } from 'vitest';
import { outcomeOfDrop, outcomeOfResponse } from '../../../../src/sentry/sdk/outcomes.js';

describe('outcomes', () => {
  it('maps SDK drop reasons and transport answers onto sidecar_sentry_events_total outcomes', () => {
    expect(outcomeOfDrop('queue_overflow')).toBe('queue_overflow');
    expect(outcomeOfDrop('ratelimit_backoff')).toBe('sentry_rate_limited');
    expect(outcomeOfDrop('before_send')).toBe('filtered');
    expect(outcomeOfDrop('sample_rate')).toBe('filtered');
    expect(outcomeOfDrop('network_error')).toBe('dropped');
    expect(outcomeOfDrop('send_error')).toBe('dropped');
    expect(outcomeOfResponse(200)).toBe('sent');
    expect(outcomeOfResponse(429)).toBe('sentry_rate_limited');
    expect(outcomeOfResponse(400)).toBe('dropped');
    expect(outcomeOfResponse(413)).toBeUndefined();
    expect(outcomeOfResponse(undefined)).toBeUndefined();
  });
});
