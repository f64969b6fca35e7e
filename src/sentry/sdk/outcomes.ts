import type { SentryEventOutcome } from '../metrics.js';

/**
 * Maps what the Sentry SDK reports about an error event onto `sidecar_sentry_events_total`.
 *
 * The SDK reports losses through `recordDroppedEvent(reason, category)` (the reasons of its
 * client reports) and deliveries through the `afterSendEvent` hook. A loss is reported in
 * exactly one of the two, except a 413, which arrives in both; `outcomeOfResponse` leaves it
 * to the drop report.
 */

/** The outcome of an SDK drop reason, for the `error` data category. */
export function outcomeOfDrop(reason: string): SentryEventOutcome {
  switch (reason) {
    case 'queue_overflow':
      return 'queue_overflow';
    case 'ratelimit_backoff':
      return 'sentry_rate_limited';
    case 'sample_rate':
    case 'before_send':
    case 'event_processor':
    case 'ignored':
      return 'filtered';
    default:
      // network_error, send_error, internal_sdk_error, buffer_overflow and future reasons.
      return 'dropped';
  }
}

/**
 * The outcome of a transport answer to an error event, or undefined when the SDK already
 * reported the loss (no status: the request never completed; 413: reported as send_error).
 */
export function outcomeOfResponse(statusCode: number | undefined): SentryEventOutcome | undefined {
  if (statusCode === undefined || statusCode === 413) return undefined;
  if (statusCode >= 200 && statusCode < 300) return 'sent';
  if (statusCode === 429) return 'sentry_rate_limited';
  return 'dropped';
}
