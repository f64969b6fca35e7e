/**
 * Error tracking and tracing with Sentry, the one entry the rest of the sidecar imports, and
 * the only part of it that loads the Sentry SDK. Rooms: sdk/ (the SDK client, its transport and
 * send pause), tracing/ (trace headers, sampling, spans), capture/ (what is reported, rate
 * limits, GET /errors), scrub/ (what may leave the sidecar). error-tracking.ts wires them;
 * proxy-observer.ts hooks them into the proxy.
 */
export {
  type AppErrorInput,
  type CaptureOutcome,
  type CaptureResult,
  ERROR_LEVELS,
  type ErrorLevel,
  type ErrorReporter,
  type RecentError,
} from './capture/index.js';
export { createErrorTracking, type ErrorTracking, type ErrorTrackingDeps } from './error-tracking.js';
export { SENTRY_EVENT_OUTCOMES, SENTRY_METRICS, type SentryEventOutcome } from './metrics.js';
export { FILTERED, isSensitiveKey, scrubText, scrubValue } from './scrub/index.js';
export type { SentrySendState, TransportFactory } from './sdk/index.js';
