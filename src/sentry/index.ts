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
export type { TransportFactory } from './sdk/index.js';
