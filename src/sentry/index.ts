export type { CaptureOutcome, CaptureResult, ErrorReporter } from './capture.js';
export type { AppErrorInput, ErrorLevel } from './error-report.js';
export { ERROR_LEVELS } from './error-report.js';
export { createErrorTracking, type ErrorTracking, type ErrorTrackingDeps } from './error-tracking.js';
export { SENTRY_EVENT_OUTCOMES, SENTRY_METRICS, type SentryEventOutcome } from './metrics.js';
export type { RecentError } from './recent-errors.js';
export { FILTERED, isSensitiveKey, scrubText, scrubValue } from './scrub/index.js';
export type { TransportFactory } from './transport.js';
