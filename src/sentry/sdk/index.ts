/**
 * The Sentry SDK and the way to it: the adapter the rest of src/sentry calls (capture an error
 * report, start a request's span, close), the SDK's client behind it, and its transport (a lean
 * HTTP request, a deadline per request, a pause while Sentry is unreachable, every loss
 * counted). Nothing exported here loads the SDK: `startSentryClient` does, on first call.
 */

export type { SentryClientOptions } from './client-options.js';
export { type OtlpOnlySpans, startOtlpOnlySpans, wantsOtlpOnlySpans } from './otlp-only-spans.js';
export type { SdkAdapter } from './sdk-adapter.js';
export { SendStatus, type SentrySendState } from './send-status.js';
export { startSentryClient } from './start.js';
export type { TransportFactory } from './transport.js';
