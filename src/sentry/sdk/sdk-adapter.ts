import type { ErrorReport } from '../capture/index.js';
import type { EventTrace, SpanStarter } from '../tracing/index.js';

/**
 * The seam between the sidecar and the Sentry SDK. Everything that touches the SDK at run time
 * lives behind it in sentry-client.ts, which is only loaded when SENTRY_DSN is set (start.ts): a
 * sidecar without Sentry never loads the SDK, and the rest of src/sentry stays plain functions.
 */

/** The Sentry SDK as the rest of src/sentry sees it: what tracing needs of it, and error events. */
export interface SdkAdapter extends SpanStarter {
  /** Hands an event to the SDK; returns its event id. Never waits for the network. */
  capture(report: ErrorReport, trace: EventTrace | undefined): string;
  /** Sends what is queued within `timeoutMs`, then stops; resolves false if time ran out. */
  close(timeoutMs: number): Promise<boolean>;
}
