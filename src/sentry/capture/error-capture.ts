import type { Logger } from '../../log/logger.js';
import type { SentryMetrics } from '../metrics.js';
import type { SdkAdapter } from '../sdk/index.js';
import { type EventTrace, newSpanId } from '../tracing/index.js';
import { type AppErrorInput, appErrorReport, appTraceId } from './app-error-report.js';
import type { ErrorReport } from './error-report.js';
import type { RateLimiter } from './rate-limit.js';
import type { RecentErrors } from './recent-errors.js';

/**
 * - `queued`: handed to the Sentry SDK, which sends it in the background.
 * - `rate_limited`: over SENTRY_MAX_EVENTS_PER_MINUTE or the per-fingerprint cap; counted only.
 * - `local_only`: Sentry is off (or not started yet); the error is listed at GET /errors.
 * - `failed`: the reporter itself failed; logged, never thrown.
 */
export type CaptureOutcome = 'queued' | 'rate_limited' | 'local_only' | 'failed';

export interface CaptureResult {
  readonly outcome: CaptureOutcome;
  /** The entry's id in GET /errors, when one was recorded. */
  readonly recentId?: number;
  /** The Sentry event id, when the event was handed to Sentry. */
  readonly sentryEventId?: string;
}

/**
 * Sends errors the backend reports itself (the ingest API's `error` events) through the same
 * scrubbing, rate limits and /errors list as the proxy's own captures. Never throws, never waits.
 */
export interface ErrorReporter {
  /** True when SENTRY_DSN is set; errors are listed at GET /errors either way. */
  readonly sentryEnabled: boolean;
  captureAppError(input: AppErrorInput): CaptureResult;
}

export interface ErrorCaptureDeps {
  readonly sentryEnabled: boolean;
  readonly limiter: RateLimiter;
  readonly recent: RecentErrors;
  readonly metrics: SentryMetrics;
  readonly logger: Logger;
}

export class ErrorCapture implements ErrorReporter {
  readonly sentryEnabled: boolean;
  private sdk: SdkAdapter | undefined;

  constructor(private readonly deps: ErrorCaptureDeps) {
    this.sentryEnabled = deps.sentryEnabled;
  }

  /** Connects the started SDK; before this, and after `detach`, errors are kept locally only. */
  attach(sdk: SdkAdapter | undefined): void {
    this.sdk = sdk;
  }

  get sentry(): SdkAdapter | undefined {
    return this.sdk;
  }

  /** A report about to leave the sidecar: rate-limited, sent to Sentry, listed at GET /errors. */
  report(report: ErrorReport, trace?: EventTrace): CaptureResult {
    return this.reportAdmitted(report.fingerprint, () => ({ report, trace }));
  }

  /**
   * As `report`, but the report is built only once the rate limits admit its fingerprint: a
   * backend failing a thousand times a second then costs a token-bucket check per failure, not
   * a scrubbed report that would be thrown away.
   */
  reportAdmitted(
    fingerprint: readonly string[],
    build: () => { report: ErrorReport; trace?: EventTrace | undefined },
  ): CaptureResult {
    try {
      const key = fingerprint.join('\u0000');
      if (!this.deps.limiter.allow(key)) {
        if (this.sdk) this.deps.metrics.event('rate_limited');
        this.deps.recent.suppressed(key);
        return { outcome: 'rate_limited' };
      }
      const { report, trace } = build();
      let sentryEventId: string | undefined;
      if (this.sdk) {
        try {
          sentryEventId = this.sdk.capture(report, trace);
        } catch (error) {
          this.deps.logger.warn({ err: error }, 'Sentry capture failed; the error stays listed at /errors');
        }
      }
      const recentId = this.deps.recent.add(key, {
        kind: report.kind,
        level: report.level,
        message: report.message,
        fingerprint: report.fingerprint,
        tags: report.tags,
        requestId: report.requestId,
        traceId: trace?.traceId,
        sentryEventId,
      });
      return sentryEventId === undefined
        ? { outcome: 'local_only', recentId }
        : { outcome: 'queued', recentId, sentryEventId };
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'error capture failed; the request went on');
      return { outcome: 'failed' };
    }
  }

  captureAppError(input: AppErrorInput): CaptureResult {
    let report: ErrorReport;
    try {
      report = appErrorReport(input);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not build an error report from a backend error event');
      return { outcome: 'failed' };
    }
    const traceId = appTraceId(input);
    const identity = this.sdk?.identity;
    const trace: EventTrace | undefined =
      traceId === undefined
        ? undefined
        : {
            traceId,
            spanId: newSpanId(),
            sampleRand: Math.random(),
            dsc: {
              ...(identity ? { environment: identity.environment } : {}),
              ...(identity?.release ? { release: identity.release } : {}),
              ...(identity ? { public_key: identity.publicKey } : {}),
              trace_id: traceId,
            },
          };
    return this.report(report, trace);
  }
}
