import type { ErrorReport } from '../capture/index.js';
import type { Dsc, DscIdentity, EventTrace, RequestSpan, TraceDecision } from '../tracing/index.js';

/**
 * The seam between the sidecar and the Sentry SDK. Everything that touches the SDK at run time
 * lives behind it in sentry-client.ts, which is only loaded when SENTRY_DSN is set (start.ts): a
 * sidecar without Sentry never loads the SDK, and the rest of src/sentry stays plain functions.
 */

/** The Sentry SDK as the rest of src/sentry sees it. */
export interface SdkAdapter {
  /** What the sidecar's own dynamic sampling context is made of. */
  readonly identity: DscIdentity;
  /** A span for a sampled request, sent when it ends under `dsc`, the trace's sampling context. */
  startRequestSpan(
    decision: TraceDecision,
    name: string,
    dsc: Dsc,
    attributes: Readonly<Record<string, string | number>>,
  ): RequestSpan;
  /** Hands an event to the SDK; returns its event id. Never waits for the network. */
  capture(report: ErrorReport, trace: EventTrace | undefined): string;
  /** Sends what is queued within `timeoutMs`, then stops; resolves false if time ran out. */
  close(timeoutMs: number): Promise<boolean>;
}
