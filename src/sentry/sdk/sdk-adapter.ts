import type { ErrorReport } from '../capture/index.js';
import type { Dsc, DscIdentity, TraceDecision } from '../tracing/index.js';

/**
 * The seam between the sidecar and the Sentry SDK. Everything that touches the SDK at run time
 * lives behind it in sentry-client.ts, which is only loaded when SENTRY_DSN is set (start.ts): a
 * sidecar without Sentry never loads the SDK, and the rest of src/sentry stays plain functions.
 */

/** A sampled request's span, the root of the sidecar's part of the trace. */
export interface RequestSpan {
  readonly spanId: string;
  /** Ends the span and sends it; `status` sets its HTTP status and, from 400, its error status. */
  end(status: number | undefined): void;
}

/** The trace an error event belongs to. */
export interface EventTrace {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string | undefined;
  readonly sampled?: boolean | undefined;
  readonly sampleRand: number;
  readonly dsc: Dsc;
}

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
