/**
 * Capture: what the sidecar reports as an error and what becomes of it. A backend 5xx or a
 * failure the sidecar answered for (502, 504, a broken-off body), and errors the backend reports
 * through the ingest API, become scrubbed error reports; rate limits per minute and per
 * fingerprint decide which ones go to Sentry; every one is listed at GET /errors on the admin
 * port, with Sentry or without.
 */

export { type AppErrorInput, appErrorReport } from './app-error-report.js';
export { ExcerptCollector } from './body-excerpt.js';
export {
  type CaptureOutcome,
  type CaptureResult,
  ErrorCapture,
  type ErrorCaptureDeps,
  type ErrorReporter,
} from './error-capture.js';
export { type BuildReport, ErrorLinker, linkedReport } from './error-linker.js';
export { ERROR_LEVELS, type ErrorKind, type ErrorLevel, type ErrorReport } from './error-report.js';
export { createErrorsRouter } from './errors-router.js';
export { type ProxyErrorInput, proxyErrorHead, proxyErrorReport } from './proxy-error-report.js';
export { RateLimiter } from './rate-limit.js';
export { type RecentError, RecentErrors } from './recent-errors.js';
